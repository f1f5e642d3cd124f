//! `minutes report`: the report of a meeting (or of one body), written from its events.

use std::io::Write;

use minutes_export::report::Format;

use crate::context::Context;
use crate::error::Result;

/// Print the report of a meeting written from its events alone: for each body, when it met,
/// who chaired it, what it considered (documents and contributions), each proposal with who
/// made it and what became of it, the interventions, the endorsements and adoptions, and what
/// was left for the chairman's report, every sentence citing its sources. HTML adds the
/// meeting's timeline as an SVG picture.
#[derive(clap::Args)]
#[command(
    after_help = "Examples:\n  minutes report wtpf-13 --body wg-2\n  minutes report wtpf-13 --format html > report.html"
)]
pub struct Args {
    /// The meeting (wtpf-13)
    meeting: String,
    /// Only this body's section (its id, wg-2, or its printed name)
    #[arg(long)]
    body: Option<String>,
    /// Markdown or HTML
    #[arg(long, value_enum, default_value = "md")]
    format: ReportFormat,
}

/// A report format.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum ReportFormat {
    /// Markdown.
    Md,
    /// HTML with the SVG timeline.
    Html,
}

/// Runs the command.
pub fn run(ctx: &Context, a: Args, out: &mut impl Write) -> Result<()> {
    let format = match a.format {
        ReportFormat::Md => Format::Markdown,
        ReportFormat::Html => Format::Html,
    };
    let text = ctx.ask(|q| minutes_export::report::report(q, &a.meeting, a.body.as_deref(), format))?;
    out.write_all(text.as_bytes())?;
    Ok(())
}
