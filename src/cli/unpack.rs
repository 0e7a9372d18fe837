//! `huntbook unpack`: base64 and archive unpacking over text, a file, or a
//! frame column.

use super::output::{self, OutputOptions};
use crate::error::{Error, PolarsContext, Result};
use crate::transform::unpack::{Unpacker, Utf16Mode};
use polars::prelude::*;
use std::io::{Read, Write};
use std::path::PathBuf;

/// `--utf16`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Utf16Arg {
    /// UTF-16LE when it looks like text (PowerShell -EncodedCommand).
    Auto,
    /// Never UTF-16 (MSTICPy's default).
    Off,
    /// UTF-16 whenever it decodes (MSTICPy's utf16=True).
    Force,
}

/// Arguments of `huntbook unpack`.
#[derive(Debug, Clone, clap::Args)]
#[command(after_help = "Examples:\n  \
    huntbook unpack 'powershell -enc VwByAGkAdABlAC0ASABvAHMAdAAgAGgAaQA='\n  \
    huntbook unpack --file payload.txt --decoded\n  \
    huntbook unpack --file dropped.zip --binary\n  \
    huntbook unpack --input events.csv --column CommandLine --format csv")]
pub struct UnpackArgs {
    /// Strings to unpack (one input each).
    pub text: Vec<String>,
    /// Unpack the text of this file ('-' for standard input) as one input.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["input", "text"])]
    pub file: Option<PathBuf>,
    /// With --file: each line is an input.
    #[arg(long, requires = "file", conflicts_with = "binary")]
    pub lines: bool,
    /// With --file: the file is itself the payload (zip, gzip, exe, …), not text.
    #[arg(long, requires = "file")]
    pub binary: bool,
    /// Unpack a column of this data file (CSV, JSON, NDJSON, Parquet).
    #[arg(
        long,
        value_name = "FILE",
        requires = "column",
        conflicts_with = "text"
    )]
    pub input: Option<PathBuf>,
    /// The column to unpack, with --input.
    #[arg(long, requires = "input")]
    pub column: Option<String>,
    /// Print the fully decoded string of each input instead of the item table.
    #[arg(long)]
    pub decoded: bool,
    /// How decoded bytes are tried as UTF-16.
    #[arg(long, value_enum, default_value_t = Utf16Arg::Auto)]
    pub utf16: Utf16Arg,
    /// Deepest nesting level decoded.
    #[arg(long, default_value_t = 20)]
    pub max_depth: usize,
    /// Decoded and decompressed bytes allowed for one input.
    #[arg(long, default_value_t = 32 << 20)]
    pub max_total_bytes: usize,
    /// Members read from one archive.
    #[arg(long, default_value_t = 256)]
    pub max_members: usize,
    /// Largest decompressed member kept, in bytes.
    #[arg(long, default_value_t = 8 << 20)]
    pub max_member_size: usize,
    /// Largest decompressed/compressed size ratio (checked past 1 MiB).
    #[arg(long, default_value_t = 200)]
    pub max_ratio: u64,
    /// Items produced for one input.
    #[arg(long, default_value_t = 1000)]
    pub max_items: usize,
    /// Shortest base64 run taken as a candidate.
    #[arg(long, default_value_t = 30)]
    pub min_length: usize,
    /// Do not try unrecognised binary as raw deflate.
    #[arg(long)]
    pub no_raw_deflate: bool,
}

impl UnpackArgs {
    /// The unpacker these flags describe.
    pub fn unpacker(&self) -> Unpacker {
        Unpacker::new()
            .max_depth(self.max_depth)
            .max_total_bytes(self.max_total_bytes)
            .max_members(self.max_members)
            .max_member_size(self.max_member_size)
            .max_ratio(self.max_ratio)
            .max_items(self.max_items)
            .min_length(self.min_length)
            .raw_deflate(!self.no_raw_deflate)
            .utf16(match self.utf16 {
                Utf16Arg::Auto => Utf16Mode::Auto,
                Utf16Arg::Off => Utf16Mode::Off,
                Utf16Arg::Force => Utf16Mode::Force,
            })
    }
}

fn read_bytes(path: &PathBuf) -> Result<Vec<u8>> {
    if path.as_os_str() == "-" {
        let mut buf = Vec::new();
        std::io::stdin()
            .read_to_end(&mut buf)
            .map_err(|e| Error::io("reading", "<stdin>", e))?;
        Ok(buf)
    } else {
        std::fs::read(path).map_err(|e| Error::io("reading", path, e))
    }
}

fn write_text(text: &str, out: &OutputOptions) -> Result<()> {
    let name = out
        .path
        .clone()
        .unwrap_or_else(|| PathBuf::from("<stdout>"));
    let result = match &out.path {
        Some(p) => std::fs::write(p, text),
        None => {
            let mut lock = std::io::stdout().lock();
            lock.write_all(text.as_bytes()).and_then(|_| lock.flush())
        }
    };
    result.map_err(|e| Error::io("writing", name, e))
}

/// Runs `huntbook unpack`.
pub fn run(args: UnpackArgs, out: &OutputOptions) -> Result<()> {
    let unpacker = args.unpacker();
    if (args.lines || args.binary) && args.file.is_none() {
        return Err(Error::invalid(
            if args.lines {
                "option '--lines'"
            } else {
                "option '--binary'"
            },
            "needs --file FILE",
        ));
    }
    if let (Some(path), true) = (&args.file, args.binary) {
        let result = unpacker.unpack_bytes(&read_bytes(path)?)?;
        if args.decoded {
            return write_text(&format!("{}\n", result.decoded_string()), out);
        }
        return output::write(crate::transform::unpack::export_df(result.df())?, out);
    }
    let (frame, column) = match (&args.input, &args.column, &args.file) {
        (Some(path), Some(column), _) => (crate::data::read_file(path)?, column.clone()),
        (_, _, Some(path)) => {
            let text = String::from_utf8_lossy(&read_bytes(path)?).into_owned();
            let values: Vec<String> = if args.lines {
                text.lines().map(str::to_string).collect()
            } else {
                vec![text]
            };
            (
                DataFrame::new_infer_height(vec![Column::new("input".into(), values)])
                    .ctx("building the input frame")?,
                "input".to_string(),
            )
        }
        _ if !args.text.is_empty() => (
            DataFrame::new_infer_height(vec![Column::new("input".into(), args.text.clone())])
                .ctx("building the input frame")?,
            "input".to_string(),
        ),
        _ => {
            return Err(Error::invalid(
                "command line",
                "give text to unpack, --file FILE, or --input FILE --column NAME",
            ));
        }
    };
    let result = unpacker.unpack_df(&frame, &column)?;
    if args.decoded {
        return write_text(&decoded_lines(&frame, &column, result.df())?, out);
    }
    output::write(result.export_df()?, out)
}

/// The fully decoded string of every input row (the input itself when
/// nothing decoded), one a line.
fn decoded_lines(input: &DataFrame, column: &str, items: &DataFrame) -> Result<String> {
    let ctx = "collecting decoded strings";
    let values = input
        .column(column)
        .ctx(ctx)?
        .cast(&DataType::String)
        .ctx(ctx)?;
    let values = values.str().ctx(ctx)?;
    let mut decoded: Vec<Option<String>> = values.iter().map(|v| v.map(str::to_string)).collect();
    let idx = items.column("src_index").ctx(ctx)?.idx().ctx(ctx)?;
    let full = items
        .column("full_decoded_string")
        .ctx(ctx)?
        .str()
        .ctx(ctx)?;
    for (i, f) in idx.iter().zip(full.iter()) {
        if let (Some(i), Some(f)) = (i, f)
            && let Some(slot) = decoded.get_mut(i as usize)
        {
            *slot = Some(f.to_string());
        }
    }
    let mut text = String::new();
    for d in decoded {
        text.push_str(d.as_deref().unwrap_or(""));
        text.push('\n');
    }
    Ok(text)
}
