//! Process trees through the public API: the differential test against
//! MSTICPy's golden output, MSTICPy's summaries on its own test data, the
//! other schemas, navigation, bad input and the interactive view.

use huntbook::prelude::*;
use huntbook::transform::proctree::{EventFilter, ProcSchema, ProcessTree, ProcessTreeBuilder};
use std::collections::HashMap;
use std::path::PathBuf;

fn shared() -> Option<PathBuf> {
    let p = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared"));
    if p.join("golden").is_dir() {
        Some(p)
    } else {
        println!("skipped: ../shared (MSTICPy golden files) is not present");
        None
    }
}

/// A CSV file with every column read as text.
fn read_text_csv(path: &std::path::Path) -> DataFrame {
    CsvReadOptions::default()
        .with_has_header(true)
        .with_infer_schema_length(Some(0))
        .try_into_reader_with_file_path(Some(path.to_path_buf()))
        .unwrap()
        .finish()
        .unwrap()
}

/// Every column of `df` as text; datetimes as the golden files write them.
fn as_text(df: &DataFrame) -> HashMap<String, Vec<Option<String>>> {
    let mut out = HashMap::new();
    for c in df.columns() {
        let s = c.as_materialized_series();
        let text: Vec<Option<String>> = match s.dtype() {
            DataType::Datetime(_, _) => s
                .datetime()
                .unwrap()
                .to_string("%Y-%m-%dT%H:%M:%S%.6f+0000")
                .unwrap()
                .iter()
                .map(|v| v.map(str::to_string))
                .collect(),
            DataType::Boolean => s
                .bool()
                .unwrap()
                .iter()
                .map(|v| v.map(|b| if b { "True" } else { "False" }.to_string()))
                .collect(),
            _ => {
                let st = s.cast(&DataType::String).unwrap();
                st.str()
                    .unwrap()
                    .iter()
                    .map(|v| v.map(str::to_string))
                    .collect()
            }
        };
        out.insert(c.name().to_string(), text);
    }
    out
}

fn bundled_frame(rel: &str) -> DataFrame {
    read_file(bundled(rel).unwrap()).unwrap()
}

#[test]
fn golden_process_tree_matches_msticpy() {
    let Some(shared) = shared() else { return };
    let golden_dir = shared.join("golden");
    let input = read_csv(golden_dir.join("inputs/proc_events.csv")).unwrap();
    let tree = ProcessTree::build(&input).unwrap();
    assert_eq!(tree.schema().name, "windows_4688");
    let ours = as_text(tree.df());
    let golden = read_text_csv(&golden_dir.join("outputs/process_tree.csv"));
    let gold = as_text(&golden);
    let n = golden.height();
    assert_eq!(tree.len(), n, "same number of processes");
    // Row order: MSTICPy sorts by (path, TimeGenerated).
    assert_eq!(ours["proc_key"], gold["proc_key"], "same keys in the same order");
    // Empty CSV cells are nulls on our side; floats like 15.0 are integers.
    let norm = |col: &str, v: &Option<String>| -> Option<String> {
        let v = v.clone().filter(|s| !s.is_empty());
        if col == "source_index_par" {
            return v.map(|s| s.trim_end_matches(".0").to_string());
        }
        v
    };
    let compared = [
        "parent_key",
        "IsRoot",
        "IsLeaf",
        "IsBranch",
        "path",
        "parent_index",
        "source_index",
        "EffectiveLogonId",
        "new_process_lc",
        "parent_proc_lc",
        "NewProcessId_par",
        "EffectiveLogonId_par",
        "new_process_lc_par",
        "source_index_par",
        "ProcessId_par",
        "NewProcessName_par",
        "timestamp_orig_par",
        // The input columns, including those filled in for inferred parents.
        "NewProcessName",
        "NewProcessId",
        "ProcessId",
        "ParentProcessName",
        "SubjectLogonId",
        "TargetLogonId",
        "CommandLine",
        "Computer",
        "EventID",
        "TimeGenerated",
    ];
    for col in compared {
        let a: Vec<Option<String>> = ours[col].iter().map(|v| norm(col, v)).collect();
        let b: Vec<Option<String>> = gold[col].iter().map(|v| norm(col, v)).collect();
        for i in 0..n {
            assert_eq!(
                a[i], b[i],
                "column {col} row {i} (proc_key {:?})",
                gold["proc_key"][i]
            );
        }
    }
    // Golden column order (our frame has the same columns).
    let golden_cols: Vec<String> = golden
        .get_column_names()
        .iter()
        .map(|c| c.to_string())
        .collect();
    let our_cols: Vec<String> = tree
        .df()
        .get_column_names()
        .iter()
        .map(|c| c.to_string())
        .collect();
    assert_eq!(our_cols, golden_cols);
    let s = tree.summary();
    assert_eq!(
        (
            s.processes,
            s.root_processes,
            s.leaf_processes,
            s.branch_processes,
            s.isolated_processes,
            s.largest_tree_depth
        ),
        (43, 3, 28, 12, 0, 6)
    );
    assert_eq!(tree.inferred_parents(), 3);
}
