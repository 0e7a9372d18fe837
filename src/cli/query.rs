//! `huntbook query`: list, show, render and run library queries; SQL over
//! local files; search and load Security-Datasets.

use super::output::{self, OutputOptions};
use crate::config::Settings;
use crate::data::drivers::security_datasets::SecurityDatasets;
use crate::data::provider::QueryProvider;
use crate::data::query::{ParamValue, QueryStore, RenderContext, dialect_for_environment, render};
use crate::display::NotebookDisplay;
use crate::error::{Error, Result};
use std::io::Write;
use std::path::PathBuf;

/// Arguments of `huntbook query`.
#[derive(Debug, Clone, clap::Args)]
#[command(after_help = "Examples:\n  \
    huntbook query list --env LocalData --search logon\n  \
    huntbook query show WindowsSecurity.list_host_processes --env MSSentinel\n  \
    huntbook query run LocalData WindowsSecurity.list_host_processes --param host_name=MSTICAlertsWin1 --format csv\n  \
    huntbook query run MSSentinel list_host_logons --param host=web01 --param start=-7d@d --print\n  \
    huntbook query sql \"SELECT EventID, COUNT(*) AS n FROM events GROUP BY EventID\" --data ./logs\n  \
    huntbook query datasets --search 'T1003 + lsass'")]
pub struct QueryArgs {
    /// What to do.
    #[command(subcommand)]
    pub action: QueryAction,
    /// More query folders to load (besides the bundled library and
    /// QueryDefinitions.Custom from the settings).
    #[arg(long = "queries", global = true, value_name = "DIR")]
    pub queries: Vec<PathBuf>,
}

/// `huntbook query` actions.
#[derive(Debug, Clone, clap::Subcommand)]
pub enum QueryAction {
    /// List queries.
    List {
        /// Only this environment (LocalData, MSSentinel, Splunk, …).
        #[arg(long)]
        env: Option<String>,
        /// Only queries whose name, description, parameters or text contain this.
        #[arg(long)]
        search: Option<String>,
    },
    /// Show a query's description, parameters and template.
    Show {
        /// `Family.name` (or `name` when unique).
        name: String,
        /// The environment (default: the first that has the query).
        #[arg(long)]
        env: Option<String>,
    },
    /// Run a query (or only print it with --print).
    Run {
        /// The environment (LocalData, OSQueryLogs, Velociraptor, SecurityDatasets; any with --print).
        env: String,
        /// `Family.name` (or `name` when unique).
        name: String,
        /// A parameter, `name=value` (lists: comma-separated).
        #[arg(long = "param", short = 'p', value_name = "NAME=VALUE")]
        params: Vec<String>,
        /// Data folders or files for local drivers (default: from the settings).
        #[arg(long = "data", value_name = "PATH")]
        data: Vec<PathBuf>,
        /// Split the time range into chunks (`1h`, `1d`).
        #[arg(long)]
        split_by: Option<String>,
        /// Print the query text instead of running it.
        #[arg(long)]
        print: bool,
    },
    /// Run SQL over CSV/TSV/JSON/NDJSON/Parquet files (tables are named after the files).
    Sql {
        /// The SQL statement.
        sql: String,
        /// Folders or files to register (default: LocalData's folders from the settings).
        #[arg(long = "data", value_name = "PATH")]
        data: Vec<PathBuf>,
    },
    /// Search the OTRF Security-Datasets catalogue (`a, b` = or, `a + b` = and).
    Datasets {
        /// Search expression (all datasets when absent).
        #[arg(long)]
        search: Option<String>,
        /// Local copy of the repository (default: the bundled sample).
        #[arg(long, value_name = "DIR")]
        root: Option<PathBuf>,
        /// Load this dataset (id, title or file stem) instead of listing.
        #[arg(long)]
        load: Option<String>,
    },
}

fn store(extra: &[PathBuf]) -> Result<QueryStore> {
    let mut s = QueryStore::builtin()?;
    let settings = Settings::load()?;
    for dir in settings
        .query_paths()
        .into_iter()
        .skip(1)
        .chain(extra.iter().cloned())
    {
        let report = s.load_dir(&dir)?;
        for (file, err) in report.skipped {
            eprintln!("skipped {}: {err}", file.display());
        }
    }
    Ok(s)
}

fn parse_params(
    def: &crate::data::query::QueryDefinition,
    params: &[String],
) -> Result<Vec<(String, ParamValue)>> {
    params
        .iter()
        .map(|p| {
            let (k, v) = p
                .split_once('=')
                .ok_or_else(|| Error::invalid(format!("--param '{p}'"), "expected NAME=VALUE"))?;
            let ptype = def
                .resolve_param(k.trim())
                .map(|d| d.ptype)
                .ok_or_else(|| {
                    let known: Vec<&str> = def.params.keys().map(String::as_str).collect();
                    Error::invalid(
                        format!("--param '{k}' for query '{}'", def.full_name()),
                        format!("no such parameter; parameters: {}", known.join(", ")),
                    )
                })?;
            Ok((k.trim().to_string(), ParamValue::from_cli(v, ptype)?))
        })
        .collect()
}

fn provider(env: &str, data: &[PathBuf]) -> Result<QueryProvider> {
    let canon = crate::data::query::canonical_environment(env);
    if data.is_empty() {
        return QueryProvider::from_settings(&canon, &Settings::load()?);
    }
    match canon.as_str() {
        "LocalData" => QueryProvider::local_data_from(data),
        "OSQueryLogs" => QueryProvider::osquery(data),
        "Velociraptor" => QueryProvider::velociraptor(data),
        "SecurityDatasets" => match data {
            [root] => QueryProvider::security_datasets(root),
            _ => Err(Error::invalid(
                "--data",
                "SecurityDatasets takes one folder (a copy of the repository)",
            )),
        },
        _ => Err(Error::invalid(
            format!("environment '{env}'"),
            "no local driver for it: use --print to render the query",
        )),
    }
}

/// Runs `huntbook query`.
pub fn run(args: QueryArgs, out: &OutputOptions) -> Result<()> {
    match args.action {
        QueryAction::List { env, search } => {
            let s = store(&args.queries)?;
            let list = match &search {
                Some(t) => s.search(env.as_deref(), t)?,
                None => s.list(env.as_deref(), None)?,
            };
            output::write(list.into_df()?, out)
        }
        QueryAction::Show { name, env } => {
            let s = store(&args.queries)?;
            let env = match env {
                Some(e) => e,
                None => s
                    .environments()
                    .into_iter()
                    .find(|e| s.get(e, &name).is_ok())
                    .ok_or_else(|| {
                        Error::invalid(format!("query '{name}'"), "not found in any environment")
                    })?,
            };
            let help = s.help(&env, &name)?;
            print_text(&help.to_text(), out)
        }
        QueryAction::Run {
            env,
            name,
            params,
            data,
            split_by,
            print,
        } => {
            if print {
                let s = store(&args.queries)?;
                let def = s.get(&env, &name)?;
                let values = parse_params(&def, &params)?;
                let text = render(
                    &def,
                    &values,
                    &RenderContext::now(dialect_for_environment(&env)),
                )?
                .text;
                return print_text(&text, out);
            }
            let mut qp = provider(&env, &data)?;
            for dir in &args.queries {
                qp.load_queries(dir)?;
            }
            let def = qp.store().get(qp.environment(), &name)?;
            let values = parse_params(&def, &params)?;
            let mut q = qp.query(&name)?.params(values);
            if let Some(s) = &split_by {
                q = q.split_by(s);
            }
            let result = q.run_result()?;
            for w in &result.warnings {
                eprintln!("warning: {w}");
            }
            if let crate::data::drivers::Completeness::Partial { reason } = &result.completeness {
                eprintln!("warning: partial result: {reason}");
            }
            output::write(result.into_df(), out)
        }
        QueryAction::Sql { sql, data } => {
            let qp = provider("LocalData", &data)?;
            output::write(qp.sql(&sql)?, out)
        }
        QueryAction::Datasets { search, root, load } => {
            let root = root.unwrap_or_else(|| crate::data::data_dir().join("security-datasets"));
            let sd = SecurityDatasets::from_folder(&root)?;
            if let Some(key) = load {
                return output::write(sd.load(&key)?, out);
            }
            let list = match &search {
                Some(e) => sd.search(e),
                None => sd.list(),
            };
            output::write(list.df()?, out)
        }
    }
}

fn print_text(text: &str, out: &OutputOptions) -> Result<()> {
    match &out.path {
        Some(p) => std::fs::write(p, text).map_err(|e| Error::io("writing", p, e)),
        None => {
            let mut so = std::io::stdout().lock();
            writeln!(so, "{text}").map_err(|e| Error::io("writing", "standard output", e))
        }
    }
}
