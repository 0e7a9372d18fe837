//! Anomalous sequences on MSTICPy's peer-bench input (`exo_events_N.json`,
//! NDJSON, from `bash scripts/bench-data`). MSTICPy 3.0.2
//! (../shared/bench/msticpy/RESULTS.md): `sessionize_data` 2,863 rows/s at
//! 100k events; `score_sessions` (window 3) 775,254 events/s (cmds),
//! 294,377 (cmds+params) and 176,694 (cmds+params+values) at 1M events.
//!
//! As in MSTICPy's bench, the frame is in memory before the timing (times
//! already datetimes), and scoring is fed sessions grouped by the
//! generator's session id; the 1M-event input repeats the 100k sessions ten
//! times. Scoring is timed from the sessions frame to the scored frame
//! (reading the lists, training the model, the rarest windows, the columns).

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use huntbook::analysis::anomalous_sequence::{
    Model, SessionKind, SessionScorer, Sessionizer, Sessions,
};
use huntbook::prelude::*;
use std::hint::black_box;

fn load(path: &str) -> DataFrame {
    let file = std::fs::File::open(path).expect("bench input");
    let mut df = JsonReader::new(file)
        .with_json_format(JsonFormat::JsonLines)
        .finish()
        .expect("NDJSON");
    let times = huntbook::vis::timeaxis::time_micros(&df, "TimeGenerated").expect("times");
    let times: Vec<Option<i64>> = times;
    let col = Int64Chunked::new("TimeGenerated".into(), times)
        .into_datetime(TimeUnit::Microseconds, Some(TimeZone::UTC))
        .into_column();
    df.with_column(col).expect("datetime column");
    df
}

fn bench(c: &mut Criterion) {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/target/bench-data");
    let path = format!("{dir}/exo_events_100000.json");
    if !std::path::Path::new(&path).exists() {
        println!("skipped: {path} not found (run `bash scripts/bench-data`)");
        return;
    }
    let events = load(&path);

    let mut g = c.benchmark_group("anomseq_sessionize");
    g.throughput(Throughput::Elements(events.height() as u64));
    g.sample_size(10);
    let sessionizer = Sessionizer::new(["UserId", "ClientIP"], "TimeGenerated")
        .max_session_minutes(20.0)
        .max_gap_minutes(2.0)
        .event_column("Operation");
    g.bench_function("exo_events_100000", |b| {
        b.iter(|| {
            sessionizer
                .sessionize(black_box(&events))
                .expect("sessions")
        })
    });
    g.finish();

    // Sessions by the generator's ids (as MSTICPy's bench), repeated to 1M events.
    let sessions = events
        .clone()
        .lazy()
        .group_by_stable([col("UserId"), col("ClientIP"), col("GenSessionId")])
        .agg([
            col("TimeGenerated").min().alias("TimeGenerated_min"),
            col("Operation").alias("Operation_list"),
            col("Parameters").alias("Parameters_list"),
        ])
        .collect()
        .expect("grouped sessions");
    let mut million = sessions.clone();
    for _ in 1..10 {
        million.vstack_mut(&sessions).expect("vstack");
    }
    million.align_chunks_par();
    let n_events = (events.height() * 10) as u64;
    let mut g = c.benchmark_group("anomseq_score_1M");
    g.throughput(Throughput::Elements(n_events));
    g.sample_size(10);
    for (name, kind) in [
        ("cmds", SessionKind::Cmds),
        ("cmds_params", SessionKind::CmdsParams),
        ("cmds_params_values", SessionKind::CmdsParamsValues),
    ] {
        let scorer = SessionScorer::new("Operation_list")
            .params_column("Parameters_list")
            .kind(kind)
            .window_length(3);
        g.bench_function(name, |b| {
            b.iter(|| scorer.score(black_box(&million)).expect("scored"))
        });
    }
    g.finish();

    // Where the time goes (commands + params): reading the lists, training, windows.
    let mut g = c.benchmark_group("anomseq_parts_1M_cmds_params");
    g.throughput(Throughput::Elements(n_events));
    g.sample_size(10);
    let kind = SessionKind::CmdsParams;
    g.bench_function("read_sessions", |b| {
        b.iter(|| {
            Sessions::from_frame(
                black_box(&million),
                "Operation_list",
                Some("Parameters_list"),
                kind,
            )
            .expect("sessions")
        })
    });
    let sessions = Sessions::from_frame(&million, "Operation_list", Some("Parameters_list"), kind)
        .expect("sessions");
    g.bench_function("train", |b| {
        b.iter(|| Model::train(black_box(&sessions)).expect("model"))
    });
    let model = Model::train(&sessions).expect("model");
    g.bench_function("rarest_windows", |b| {
        b.iter(|| {
            model
                .rarest_windows(black_box(&sessions), 3, true, false)
                .expect("windows")
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
