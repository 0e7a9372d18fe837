//! Widgets: the kernel side of a browser change (decode, check, store, read
//! back) and rendering a large alert picker. MSTICPy has no peer figure
//! (ipywidgets round trips run in the browser and the comm layer).

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use huntbook::prelude::*;
use huntbook::widgets::store::encode_hex;
use std::hint::black_box;

fn alerts(n: usize) -> DataFrame {
    let ids: Vec<String> = (0..n)
        .map(|i| format!("{i:08x}-7b2c-4a51-9d1e-0c6f3b8a{i:04x}"))
        .collect();
    let times: Vec<String> = (0..n)
        .map(|i| {
            format!(
                "2019-01-{:02} {:02}:{:02}:{:02}",
                1 + i % 28,
                i % 24,
                i % 60,
                (i * 7) % 60
            )
        })
        .collect();
    let names: Vec<String> = (0..n)
        .map(|i| format!("Suspicious activity <{}> on host-{}", i % 37, i % 101))
        .collect();
    let ents: Vec<String> = (0..n)
        .map(|i| format!(r#"[{{"$id":"2","HostName":"host-{}","Type":"host"}},{{"$id":"3","Address":"10.0.{}.{}","Type":"ip"}}]"#, i % 101, i % 250, i % 200))
        .collect();
    df!("SystemAlertId" => ids, "TimeGenerated" => times, "AlertName" => names, "Entities" => ents)
        .expect("bench frame")
}

fn bench(c: &mut Criterion) {
    let dir = std::env::temp_dir().join(format!("hb-bench-widgets-{}", std::process::id()));
    let store = WidgetStore::at(&dir).expect("store");
    let mut g = c.benchmark_group("widgets");
    g.sample_size(20);

    let sel = SelectItem::new((0..100).map(|i| format!("option {i}"))).store(store.clone());
    let id = sel.widget_id().to_string();
    let hex = encode_hex(r#"{"label":"option 42"}"#);
    g.throughput(Throughput::Elements(1));
    g.bench_function("browser value: receive + value() (kernel side)", |b| {
        b.iter(|| {
            store
                .receive(black_box(&id), black_box(&hex))
                .expect("receive");
            black_box(sel.value().expect("value"))
        })
    });

    let frame = alerts(10_000);
    g.throughput(Throughput::Elements(10_000));
    g.bench_function("SelectAlert: 10k alerts, build + render HTML", |b| {
        b.iter(|| {
            let pick = SelectAlert::new(black_box(&frame))
                .expect("alerts")
                .store(store.clone());
            black_box(pick.to_html().len())
        })
    });
    g.finish();
    let _ = std::fs::remove_dir_all(&dir);
}

criterion_group!(benches, bench);
criterion_main!(benches);
