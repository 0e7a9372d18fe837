//! Differential test against MSTICPy 3.0.2's IoC extraction outputs.
use huntbook::prelude::*;
use huntbook::transform::ioc::{IocExtractor, IocType};
use std::collections::BTreeMap;
use std::path::PathBuf;

fn golden() -> Option<PathBuf> {
    let p = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/golden"));
    if p.is_dir() { Some(p) } else { eprintln!("skipping: {} is absent", p.display()); None }
}

type Row = (i64, String, String);

fn read_golden(path: &std::path::Path) -> Vec<Row> {
    let df = read_csv(path).unwrap();
    let t = df.column("IoCType").unwrap().str().unwrap().clone();
    let o = df.column("Observable").unwrap().cast(&DataType::String).unwrap();
    let o = o.str().unwrap().clone();
    let i = df.column("SourceIndex").unwrap().cast(&DataType::Int64).unwrap();
    let i = i.i64().unwrap().clone();
    (0..df.height()).map(|k| (i.get(k).unwrap(), t.get(k).unwrap().to_string(), o.get(k).unwrap_or("").to_string())).collect()
}

fn ours(x: &IocExtractor, df: &DataFrame, col: &str) -> Vec<Row> {
    let r = x.extract_df(df, &[col]).unwrap().into_df();
    let t = r.column("IoCType").unwrap().str().unwrap().clone();
    let o = r.column("Observable").unwrap().str().unwrap().clone();
    let i = r.column("SourceIndex").unwrap().i64().unwrap().clone();
    (0..r.height()).map(|k| (i.get(k).unwrap(), t.get(k).unwrap().to_string(), o.get(k).unwrap().to_string())).collect()
}

#[test]
fn explore() {
    let Some(g) = golden() else { return };
    let lines = read_csv(g.join("inputs/ioc_lines.csv")).unwrap();
    let tricky: Vec<serde_json::Value> = serde_json::from_str(&std::fs::read_to_string(g.join("inputs/ioc_tricky.json")).unwrap()).unwrap();
    let texts: Vec<String> = tricky.iter().map(|v| v["text"].as_str().unwrap().to_string()).collect();
    let tricky_df = df!("text" => texts).unwrap();
    let base = [IocType::Ipv4, IocType::Ipv6, IocType::Dns, IocType::Url, IocType::Email, IocType::Md5Hash, IocType::Sha1Hash, IocType::Sha256Hash];
    let variants: Vec<(&str, IocExtractor)> = vec![
        ("default", IocExtractor::new().types(base.clone())),
        ("include_paths", IocExtractor::new().types(base.iter().cloned().chain([IocType::WindowsPath]))),
        ("all_types", IocExtractor::new().types(base.iter().cloned().chain([IocType::WindowsPath, IocType::LinuxPath]))),
        ("defanged_false", IocExtractor::new().types(base.clone()).defanged(false)),
        ("ignore_tlds", IocExtractor::new().types(base.clone()).ignore_tlds(true)),
    ];
    for (name, df, col) in [("ioc_lines", &lines, "RawLine"), ("ioc_tricky", &tricky_df, "text")] {
        for (v, x) in &variants {
            let mut gold = read_golden(&g.join(format!("outputs/{name}.extract_df.{v}.csv")));
            let mut mine = ours(x, df, col);
            gold.sort(); mine.sort();
            let mut counts: BTreeMap<&Row, i32> = BTreeMap::new();
            for r in &gold { *counts.entry(r).or_default() -= 1; }
            for r in &mine { *counts.entry(r).or_default() += 1; }
            for (r, c) in counts { if c != 0 { println!("{name} {v} {} {:?}", if c > 0 {"+ours"} else {"-gold"}, r); } }
        }
    }
}
