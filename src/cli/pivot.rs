//! `huntbook pivot`: list and run pivot functions of entities.
//!
//! ```sh
//! huntbook pivot list                       # every entity's pivots (built-ins + LocalData queries)
//! huntbook pivot list IpAddress
//! huntbook pivot list --counts
//! huntbook pivot describe IpAddress ti.lookup_ip
//! huntbook pivot run IpAddress ti.lookup_ip 51.255.107.37 8.8.8.8
//! huntbook pivot run Host LocalData.list_host_processes MSTICAlertsWin1 -f csv
//! huntbook pivot run IpAddress util.ip_type --input flows.csv --column SrcIP --join left
//! huntbook pivot run IpAddress custom.signins_from_ip 73.35.204.105 --pivots data/pivot/user_pivots.yaml
//! huntbook pivot pipeline data/pivot/pipelines.yaml --input flows.csv
//! ```

use super::output::{self, OutputOptions};
use crate::data::provider::QueryProvider;
use crate::data::read_file;
use crate::entities::{EntityType, JoinKind, JoinSpec, Pivot, PivotInput, PivotPipeline};
use crate::error::{Error, Result};
use crate::session::Huntbook;
use std::path::PathBuf;

/// Arguments of `huntbook pivot`.
#[derive(Debug, clap::Args)]
pub struct PivotArgs {
    /// What to do.
    #[command(subcommand)]
    pub command: PivotCommand,
}

/// `huntbook pivot` subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum PivotCommand {
    /// List pivot functions (of one entity type).
    List(ListArgs),
    /// Describe one pivot function.
    Describe {
        /// The entity type (IpAddress, Host, Account, Url, Dns, Process, File, FileHash…).
        entity: String,
        /// The function (`container.name`).
        func: String,
        /// Registry options.
        #[command(flatten)]
        source: SourceArgs,
    },
    /// Run a pivot function on values or a column of a data file.
    Run(Box<RunArgs>),
    /// Run the pipelines of a pivot pipeline YAML file over a data file.
    Pipeline {
        /// The pipeline YAML file (`pipelines:`).
        file: PathBuf,
        /// The data file (CSV, JSON, NDJSON, Parquet).
        #[arg(long, short = 'i', value_name = "FILE")]
        input: PathBuf,
        /// Only the pipeline of this name (default: the first).
        #[arg(long)]
        name: Option<String>,
        /// Registry options.
        #[command(flatten)]
        source: SourceArgs,
    },
}

/// What the registry holds, besides the built-ins.
#[derive(Debug, Clone, clap::Args)]
pub struct SourceArgs {
    /// Do not add the LocalData query provider's queries.
    #[arg(long)]
    pub no_queries: bool,
    /// A pivot YAML file of user functions (`pivot_providers`; repeatable).
    #[arg(long, value_name = "FILE")]
    pub pivots: Vec<PathBuf>,
    /// Query time span start (datetime, ISO text or offset like -7d).
    #[arg(long, requires = "end")]
    pub start: Option<String>,
    /// Query time span end.
    #[arg(long, requires = "start")]
    pub end: Option<String>,
}

/// Arguments of `huntbook pivot list`.
#[derive(Debug, clap::Args)]
pub struct ListArgs {
    /// Only this entity type.
    pub entity: Option<String>,
    /// One row per entity type with the number of pivots.
    #[arg(long)]
    pub counts: bool,
    /// Registry options.
    #[command(flatten)]
    pub source: SourceArgs,
}

/// Arguments of `huntbook pivot run`.
#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// The entity type.
    pub entity: String,
    /// The function (`container.name`).
    pub func: String,
    /// Input values.
    pub values: Vec<String>,
    /// A data file whose --column holds the values.
    #[arg(long, short = 'i', value_name = "FILE", requires = "column")]
    pub input: Option<PathBuf>,
    /// The column of --input.
    #[arg(long, short = 'c', value_name = "NAME")]
    pub column: Option<String>,
    /// Join the result to the input: inner, left, right or outer.
    #[arg(long)]
    pub join: Option<String>,
    /// The input column to join on (default: the value column).
    #[arg(long, requires = "join")]
    pub left_on: Option<String>,
    /// The result column to join on (default: the function's join key).
    #[arg(long, requires = "join")]
    pub right_on: Option<String>,
    /// Compare join keys ignoring case.
    #[arg(long, requires = "join")]
    pub ignore_case: bool,
    /// Registry options.
    #[command(flatten)]
    pub source: SourceArgs,
}

fn build(source: &SourceArgs) -> Result<Pivot> {
    let hb = Huntbook::new()?;
    let mut piv = Pivot::new(&hb)?;
    for n in piv.notes() {
        eprintln!("note: {n}");
    }
    if !source.no_queries {
        piv.add_provider(&QueryProvider::local_data()?)?;
    }
    if let (Some(s), Some(e)) = (&source.start, &source.end) {
        piv.set_timespan(s.as_str(), e.as_str())?;
    }
    for f in &source.pivots {
        piv.register_yaml_file(f)?;
    }
    Ok(piv)
}

/// Runs `huntbook pivot`.
pub fn run(args: PivotArgs, out: &OutputOptions) -> Result<()> {
    match args.command {
        PivotCommand::List(a) => {
            let piv = build(&a.source)?;
            let entity = a.entity.as_deref().map(EntityType::from_name).transpose()?;
            let list = piv.list(entity);
            output::write(if a.counts { list.counts()? } else { list.df()? }, out)
        }
        PivotCommand::Describe {
            entity,
            func,
            source,
        } => {
            let piv = build(&source)?;
            let help = piv.help(entity.as_str(), &func)?;
            let df = crate::polars::prelude::df!(
                "entity" => [help.function().entity().name()],
                "function" => [help.function().full_name()],
                "description" => [help.function().description()],
                "input" => [help.function().input_attr()],
                "join_key" => [help.function().join_key().unwrap_or("")],
                "source" => [help.function().source()],
            )
            .map_err(|e| Error::polars("describing the pivot", e))?;
            output::write(df, out)
        }
        PivotCommand::Run(a) => {
            let piv = build(&a.source)?;
            let input = match (&a.input, &a.column) {
                (Some(path), Some(col)) => {
                    if !a.values.is_empty() {
                        return Err(Error::invalid(
                            "pivot run",
                            "give values or --input/--column, not both",
                        ));
                    }
                    PivotInput::frame(&read_file(path)?, col)
                }
                _ if a.values.is_empty() => {
                    return Err(Error::invalid(
                        "pivot run",
                        "no input: give values or --input FILE --column NAME",
                    ));
                }
                _ => PivotInput::Values(a.values.clone()),
            };
            let mut call = piv.call(a.entity.as_str(), &a.func)?;
            if let Some(j) = &a.join {
                let mut spec = JoinSpec::new(JoinKind::parse(j)?).ignore_case(a.ignore_case);
                spec.left_on = a.left_on.clone();
                spec.right_on = a.right_on.clone();
                call = call.join(spec);
            }
            output::write(call.run(input)?, out)
        }
        PivotCommand::Pipeline {
            file,
            input,
            name,
            source,
        } => {
            let piv = build(&source)?;
            let text =
                std::fs::read_to_string(&file).map_err(|e| Error::io("reading", &file, e))?;
            let pipes = PivotPipeline::from_yaml_str(&text)?;
            let pipe = match &name {
                Some(n) => pipes.iter().find(|p| &p.name == n).ok_or_else(|| {
                    let names: Vec<&str> = pipes.iter().map(|p| p.name.as_str()).collect();
                    Error::invalid(
                        format!("pipeline '{n}'"),
                        format!("not in the file; it has: {}", names.join(", ")),
                    )
                })?,
                None => pipes.first().ok_or_else(|| {
                    Error::invalid(
                        format!("pipeline file '{}'", file.display()),
                        "no pipelines",
                    )
                })?,
            };
            let df = read_file(&input)?;
            output::write(pipe.run(&piv, &df)?.into_df(), out)
        }
    }
}
