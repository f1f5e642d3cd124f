"""Validates a Popolo export (argv[2]) against the Popolo JSON schemas in a folder (argv[1]):
each item of organizations, persons, memberships, motions and events against its schema,
with jsonschema's Draft 3 validator and the schemas' own ids resolved locally."""
import glob
import json
import os
import sys

from jsonschema import Draft3Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT3

schemas = {}
for path in glob.glob(os.path.join(sys.argv[1], "*.json")):
    with open(path, encoding="utf-8") as f:
        s = json.load(f)
    schemas[s["id"].rstrip("#")] = s
registry = Registry().with_resources((k, Resource(contents=v, specification=DRAFT3)) for k, v in schemas.items())
with open(sys.argv[2], encoding="utf-8") as f:
    doc = json.load(f)
kinds = {"organizations": "organization", "persons": "person", "memberships": "membership", "motions": "motion", "events": "event"}
errors = 0
checked = 0
for key, kind in kinds.items():
    schema = schemas["http://www.popoloproject.com/schemas/%s.json" % kind]
    validator = Draft3Validator(schema, registry=registry, format_checker=Draft3Validator.FORMAT_CHECKER)
    for item in doc[key]:
        checked += 1
        for e in validator.iter_errors(item):
            errors += 1
            print(key, item.get("id"), e.message)
print(checked, "items checked,", errors, "errors")
sys.exit(1 if errors or not checked else 0)
