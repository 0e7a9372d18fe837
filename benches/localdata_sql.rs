//! LocalData SQL: `GROUP BY` over a 10M-row Parquet file, scanned lazily.
//!
//! The file is generated once into `target/bench-data/localdata_events_10m.parquet`
//! (Windows-like events: TimeGenerated, Computer, Account, EventID,
//! ProcessId, CommandLine). Peak memory of one query is measured in a child
//! process (`VmHWM` from /proc) and printed.
//!
//! `cargo bench --bench localdata_sql -- --warm-up-time 1 --measurement-time 5`

use criterion::Criterion;
use huntbook::data::drivers::localdata::LocalDataDriver;
use polars::prelude::*;
use std::path::PathBuf;
use std::time::Instant;

const ROWS: usize = 10_000_000;
const QUERY: &str = "SELECT Computer, COUNT(*) AS events, MIN(TimeGenerated) AS first_seen, MAX(TimeGenerated) AS last_seen \
                     FROM localdata_events_10m WHERE EventID = 4688 GROUP BY Computer ORDER BY events DESC";

fn data_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bench-data/localdata_events_10m.parquet")
}

fn generate(path: &PathBuf) {
    let start = Instant::now();
    let mut rng: u64 = 0x2545_F491_4F6C_DD1D;
    let mut next = || {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        rng
    };
    let hosts: Vec<String> = (0..200)
        .map(|i| format!("host{i:03}.contoso.com"))
        .collect();
    let accounts: Vec<String> = (0..1000).map(|i| format!("CONTOSO\\user{i:04}")).collect();
    let cmds = [
        "cmd.exe /c whoami",
        "powershell.exe -nop -w hidden",
        "svchost.exe -k netsvcs",
        "explorer.exe",
        "rundll32.exe x.dll,Run",
    ];
    let ids = [4688i64, 4624, 4625, 4634, 4672, 4688, 4688, 5156];
    let base: i64 = 1_704_067_200_000_000_000; // 2024-01-01 UTC, ns
    let mut time = Vec::with_capacity(ROWS);
    let mut host = Vec::with_capacity(ROWS);
    let mut acct = Vec::with_capacity(ROWS);
    let mut eid = Vec::with_capacity(ROWS);
    let mut pid = Vec::with_capacity(ROWS);
    let mut cmd = Vec::with_capacity(ROWS);
    for i in 0..ROWS {
        let r = next();
        time.push(base + (i as i64) * 259_200_000); // 30 days over the rows
        host.push(hosts[(r % 200) as usize].as_str());
        acct.push(accounts[((r >> 8) % 1000) as usize].as_str());
        eid.push(ids[((r >> 20) % 8) as usize]);
        pid.push(((r >> 24) % 65_536) as i64);
        cmd.push(cmds[((r >> 40) % 5) as usize]);
    }
    let mut df = DataFrame::new_infer_height(vec![
        Series::new("TimeGenerated".into(), time)
            .cast(&DataType::Datetime(
                TimeUnit::Nanoseconds,
                Some(TimeZone::UTC),
            ))
            .unwrap()
            .into_column(),
        Column::new("Computer".into(), host),
        Column::new("Account".into(), acct),
        Column::new("EventID".into(), eid),
        Column::new("ProcessId".into(), pid),
        Column::new("CommandLine".into(), cmd),
    ])
    .unwrap();
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let tmp = path.with_extension("tmp");
    let f = std::fs::File::create(&tmp).unwrap();
    ParquetWriter::new(f)
        .with_row_group_size(Some(1_000_000))
        .finish(&mut df)
        .unwrap();
    std::fs::rename(&tmp, path).unwrap();
    println!(
        "generated {} rows in {:.1?} ({} MB)",
        ROWS,
        start.elapsed(),
        std::fs::metadata(path).unwrap().len() >> 20
    );
}

fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

fn main() {
    let path = data_path();
    if std::env::var_os("HB_LOCALDATA_BENCH_CHILD").is_some() {
        let before = peak_rss_kib().unwrap_or(0);
        let ld = LocalDataDriver::new().with_file(&path).unwrap();
        let t = Instant::now();
        let df = ld.sql(QUERY).unwrap();
        println!(
            "one query: {} groups in {:.2?}; peak RSS {} MiB (process start {} MiB)",
            df.height(),
            t.elapsed(),
            peak_rss_kib().unwrap_or(0) / 1024,
            before / 1024
        );
        return;
    }
    if !path.is_file() {
        generate(&path);
    }
    // peak memory of one query, in a fresh process
    if let Ok(exe) = std::env::current_exe()
        && let Ok(out) = std::process::Command::new(exe)
            .env("HB_LOCALDATA_BENCH_CHILD", "1")
            .output()
    {
        print!("{}", String::from_utf8_lossy(&out.stdout));
    }
    let ld = LocalDataDriver::new().with_file(&path).unwrap();
    let mut c = Criterion::default().sample_size(10).configure_from_args();
    let mut g = c.benchmark_group("localdata_sql");
    g.throughput(criterion::Throughput::Elements(ROWS as u64));
    g.bench_function("group_by_10m_parquet", |b| {
        b.iter(|| ld.sql(QUERY).unwrap())
    });
    g.finish();
    c.final_summary();
}
