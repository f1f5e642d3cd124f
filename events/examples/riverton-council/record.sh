#!/bin/sh
# EXAMPLE ONLY: records the fictional Riverton City Council meeting with `minutes record` verbs.
# Usage: MINUTES_DB=riverton.db sh record.sh   (minutes from PATH, or MINUTES=/path/to/minutes)
set -eu
M="${MINUTES:-minutes}"
DIR="$(cd "$(dirname "$0")" && pwd)"
: "${MINUTES_DB:=riverton.db}"
export MINUTES_DB
# Who records: stamped as recorded_by on every event (fictional clerks; a second one takes
# over for the afternoon below).
MINUTES_CLERK="M. Ross"
export MINUTES_CLERK
[ -e "$MINUTES_DB" ] || "$M" init --empty
R() { "$M" record "$@"; }
D=example-riverton/res-12

# The meeting, its bodies and members (registered the day before: preparatory).
R declare example-riverton --title "Riverton City Council, June meeting (fictional example)" \
  --venue "Riverton town hall" --zone Europe/Dublin --first-day 2031-06-10 --last-day 2031-06-10 \
  --body council="City Council" --body finance="Finance Committee" --at "2031-05-01 09:00" \
  --note "EXAMPLE ONLY: a fictional meeting"
for a in "mayor-lind|Mayor Ida Lind" "clr-osei|Councillor Kofi Osei" "clr-park|Councillor Jin Park" "clr-varga|Councillor Eva Varga"; do
  R actor "${a%%|*}" --name "${a#*|}" --kind person --phase preparatory --at "2031-06-09 12:00"
done
R actor clerk-office --name "Office of the City Clerk" --kind organisation --phase preparatory --at "2031-06-09 12:00"
R table example-riverton/note-1 --kind information-document --title "Tree species list" --by clerk-office --at "2031-06-10 09:00"
R table "$D" --title "Street trees on Mill Road" --symbol "RCC/2031/12" --text "$DIR/res-12.txt" --by mayor-lind --body council --at "2031-06-10 09:00"
R table example-riverton/res-13 --title "Benches on Mill Road" --symbol "RCC/2031/13" --text "$DIR/res-13.txt" --by clr-varga --body council --at "2031-06-10 09:00"

# The Council opens; attendance is recorded (wrongly, corrected below).
R open-meeting --body council --at "2031-06-10 09:30"
R attendance --body council --summary "5 members present" --delegates 5 --at "2031-06-10 09:30" \
  --id 01a2f000-0000-7000-8000-000000000001
R body tree-party --name "Tree Working Party" --by-body council --at "2031-06-10 09:40"
R refer-doc "$D" --body finance --at "2031-06-10 09:45"
R refer-doc example-riverton/res-13 --body finance --at "2031-06-10 09:45"

# The Finance Committee.
R open-session --body finance --at "2031-06-10 10:00"
R elect clr-park --role chairman --body finance --at "2031-06-10 10:01"
R take-up "$D" --body finance --order 1 --at "2031-06-10 10:05"
R statement --by clr-varga --doc "$D" --stance support --summary "supported more trees" --at "2031-06-10 10:08"
R propose --doc "$D" --by clr-osei --amendment sixty-trees --clause resolves/1 --replace "forty" --with "sixty" \
  --summary "plant sixty trees instead of forty" --at "2031-06-10 10:10"
# Touches "forty" too: recorded, with a warning naming sixty-trees.
R propose --doc "$D" --by clr-varga --clause resolves/1 --replace "forty trees" --with "fifty oak trees" --at "2031-06-10 10:12"
R propose --doc "$D" --by clr-park --insert-clause resolves:2 --key 2a --label "2 bis)" \
  --words "to seek a grant for the planting;" --clause resolves/1 --insert "native" --before "trees" \
  --at "2031-06-10 10:14"
R propose --doc "$D" --by clr-osei --unworded --summary "a change to the watering clause" --at "2031-06-10 10:16"
R procedural merge-12-13 --summary "merge Resolutions 12 and 13" --doc "$D" --doc example-riverton/res-13 \
  --by clr-varga --body finance --at "2031-06-10 10:18"
R withdraw-procedural merge-12-13 --by clr-varga --body finance --at "2031-06-10 10:20"
R accept sixty-trees --decided-by vote --at "2031-06-10 10:25"
R reject res-12-amendment-2 --decided-by vote --at "2031-06-10 10:26"
R accept res-12-amendment-3 --at "2031-06-10 10:27"
R withdraw res-12-amendment-4 --by clr-osei --at "2031-06-10 10:28"
R suspend --body finance --minutes 15 --at "2031-06-10 10:30"
R resume --body finance --at "2031-06-10 10:45"
R propose --doc "$D" --by clr-varga --clause considering/b --delete "summer" --at "2031-06-10 10:50"
R refer res-12-amendment-5 --at "2031-06-10 10:52"
R endorse "$D" --body finance --submitted-to council --from "2031-06-10 11:00" --to "2031-06-10 11:10"
R take-up example-riverton/res-13 --body finance --order 2 --at "2031-06-10 11:15"
R revise example-riverton/res-13 --symbol "RCC/2031/13 rev. 1" --text "$DIR/res-13-rev1.txt" --by clr-varga --at "2031-06-10 11:20"
R not-endorse example-riverton/res-13 --body finance --at "2031-06-10 11:30"
R withdraw-doc example-riverton/note-1 --by clerk-office --at "2031-06-10 11:35"
R close-session --body finance --at "2031-06-10 11:40"

MINUTES_CLERK="T. Brennan"
# Back in Council: the attendance was wrong; the clerk corrects it, then records it right.
R correct 01a2f000-0000-7000-8000-000000000001 --reason "six members were present, not five" --by clerk-office --at "2031-06-10 14:00"
R attendance --body council --summary "6 members present" --delegates 6 --at "2031-06-10 09:30"
R adopt "$D" --from "2031-06-10 15:00" --to "2031-06-10 16:00"
R close-meeting --body council --at "2031-06-10 17:00"
