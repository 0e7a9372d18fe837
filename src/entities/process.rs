//! Processes, files, file hashes and registry keys/values.

use super::host::{Account, Host, HostLogonSession};
use super::serde_util as de;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// A process (MSTICPy's `Process`). Identity: host, process id, creation
/// time and image path.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Process {
    /// The process id as the source wrote it (`0x1558` or `5464`).
    #[serde(
        rename = "ProcessId",
        deserialize_with = "de::string",
        skip_serializing_if = "Option::is_none"
    )]
    pub process_id: Option<String>,
    /// The command line.
    #[serde(
        rename = "CommandLine",
        deserialize_with = "de::string",
        skip_serializing_if = "Option::is_none"
    )]
    pub command_line: Option<String>,
    /// The elevation token (`Default`, `Full`, `Limited`).
    #[serde(
        rename = "ElevationToken",
        deserialize_with = "de::string",
        skip_serializing_if = "Option::is_none"
    )]
    pub elevation_token: Option<String>,
    /// When the process started (ISO 8601 text, as in the source).
    #[serde(
        rename = "CreationTimeUtc",
        deserialize_with = "de::string",
        skip_serializing_if = "Option::is_none"
    )]
    pub creation_time_utc: Option<String>,
    /// The image file.
    #[serde(
        rename = "ImageFile",
        deserialize_with = "de::nested",
        skip_serializing_if = "Option::is_none"
    )]
    pub image_file: Option<Box<File>>,
    /// The account it ran as.
    #[serde(
        rename = "Account",
        deserialize_with = "de::nested",
        skip_serializing_if = "Option::is_none"
    )]
    pub account: Option<Box<Account>>,
    /// The parent process.
    #[serde(
        rename = "ParentProcess",
        deserialize_with = "de::nested",
        skip_serializing_if = "Option::is_none"
    )]
    pub parent_process: Option<Box<Process>>,
    /// The host.
    #[serde(
        rename = "Host",
        deserialize_with = "de::nested",
        skip_serializing_if = "Option::is_none"
    )]
    pub host: Option<Box<Host>>,
    /// The logon session.
    #[serde(
        rename = "LogonSession",
        deserialize_with = "de::nested",
        skip_serializing_if = "Option::is_none"
    )]
    pub logon_session: Option<Box<HostLogonSession>>,
    /// Properties huntbook has no field for.
    #[serde(flatten)]
    pub additional: Map<String, Value>,
}

impl Process {
    /// A process from an image path and a command line.
    pub fn new(image_path: &str, command_line: &str) -> Self {
        Self {
            image_file: Some(Box::new(File::from_path(image_path))),
            command_line: Some(command_line.to_string()),
            ..Self::default()
        }
    }

    /// The image's full path (MSTICPy's `ProcessFilePath`).
    pub fn process_file_path(&self) -> Option<String> {
        self.image_file.as_ref().map(|f| f.full_path())
    }

    /// The image's file name (MSTICPy's `ProcessName`).
    pub fn process_name(&self) -> Option<String> {
        self.image_file.as_ref().and_then(|f| f.name.clone())
    }
}

/// A file (MSTICPy's `File`). Identity: the full path (case-insensitive)
/// and, when present, the strongest hash.
///
/// ```
/// use huntbook::entities::File;
/// let f = File::from_path(r"c:\windows\system32\cmd.exe");
/// assert_eq!(f.name.as_deref(), Some("cmd.exe"));
/// assert_eq!(f.directory.as_deref(), Some(r"c:\windows\system32"));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct File {
    /// The file name.
    #[serde(
        rename = "Name",
        alias = "FileName",
        deserialize_with = "de::string",
        skip_serializing_if = "Option::is_none"
    )]
    pub name: Option<String>,
    /// The folder.
    #[serde(
        rename = "Directory",
        deserialize_with = "de::string",
        skip_serializing_if = "Option::is_none"
    )]
    pub directory: Option<String>,
    /// The full path, when the source gives it.
    #[serde(
        rename = "FullPath",
        deserialize_with = "de::string",
        skip_serializing_if = "Option::is_none"
    )]
    pub full_path: Option<String>,
    /// Hashes of the file.
    #[serde(
        rename = "FileHashes",
        deserialize_with = "de::nested_list",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub file_hashes: Vec<FileHash>,
    /// MD5.
    #[serde(
        rename = "Md5",
        deserialize_with = "de::string",
        skip_serializing_if = "Option::is_none"
    )]
    pub md5: Option<String>,
    /// SHA-1.
    #[serde(
        rename = "Sha1",
        deserialize_with = "de::string",
        skip_serializing_if = "Option::is_none"
    )]
    pub sha1: Option<String>,
    /// SHA-256.
    #[serde(
        rename = "Sha256",
        deserialize_with = "de::string",
        skip_serializing_if = "Option::is_none"
    )]
    pub sha256: Option<String>,
    /// Properties huntbook has no field for.
    #[serde(flatten)]
    pub additional: Map<String, Value>,
}

impl File {
    /// A file from a full path (Windows `\` or Unix `/`).
    pub fn from_path(path: &str) -> Self {
        let path = path.trim();
        let (dir, name) = match path.rfind(['\\', '/']) {
            Some(i) => (Some(path[..i].to_string()), path[i + 1..].to_string()),
            None => (None, path.to_string()),
        };
        Self {
            name: Some(name),
            directory: dir,
            full_path: Some(path.to_string()),
            ..Self::default()
        }
    }

    /// The full path: `FullPath`, else `Directory` + separator + `Name`.
    pub fn full_path(&self) -> String {
        if let Some(p) = self.full_path.as_deref().filter(|p| !p.is_empty()) {
            return p.to_string();
        }
        let name = self.name.as_deref().unwrap_or("");
        match self.directory.as_deref().filter(|d| !d.is_empty()) {
            Some(d) => {
                let sep = if d.contains('/') && !d.contains('\\') {
                    '/'
                } else {
                    '\\'
                };
                format!("{}{sep}{name}", d.trim_end_matches(['\\', '/']))
            }
            None => name.to_string(),
        }
    }

    /// The strongest hash known: SHA-256, SHA-1, MD5, then the first of
    /// `FileHashes` (MSTICPy's `file_hash`).
    pub fn file_hash(&self) -> Option<String> {
        self.sha256
            .clone()
            .or_else(|| self.sha1.clone())
            .or_else(|| self.md5.clone())
            .or_else(|| self.file_hashes.iter().find_map(|h| h.value.clone()))
    }
}

/// A file hash (MSTICPy's `FileHash`). Identity: the value, case-insensitive.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct FileHash {
    /// `MD5`, `SHA1`, `SHA256`, ...
    #[serde(
        rename = "Algorithm",
        deserialize_with = "de::string",
        skip_serializing_if = "Option::is_none"
    )]
    pub algorithm: Option<String>,
    /// The hash value.
    #[serde(
        rename = "Value",
        alias = "HashValue",
        deserialize_with = "de::string",
        skip_serializing_if = "Option::is_none"
    )]
    pub value: Option<String>,
    /// Properties huntbook has no field for.
    #[serde(flatten)]
    pub additional: Map<String, Value>,
}

impl FileHash {
    /// A hash; the algorithm is inferred from the length (32, 40, 64 hex digits).
    pub fn new(value: &str) -> Self {
        let v = value.trim();
        let algorithm = crate::transform::ioc::IocType::file_hash_type(v).map(|t| {
            match t.name() {
                "md5_hash" => "MD5",
                "sha1_hash" => "SHA1",
                _ => "SHA256",
            }
            .to_string()
        });
        Self {
            algorithm,
            value: Some(v.to_string()),
            ..Self::default()
        }
    }
}

/// A registry key (MSTICPy's `RegistryKey`). Identity: hive and key,
/// case-insensitive.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct RegistryKey {
    /// The hive (`HKEY_LOCAL_MACHINE`).
    #[serde(
        rename = "Hive",
        deserialize_with = "de::string",
        skip_serializing_if = "Option::is_none"
    )]
    pub hive: Option<String>,
    /// The key path below the hive.
    #[serde(
        rename = "Key",
        deserialize_with = "de::string",
        skip_serializing_if = "Option::is_none"
    )]
    pub key: Option<String>,
    /// Properties huntbook has no field for.
    #[serde(flatten)]
    pub additional: Map<String, Value>,
}

/// A registry value (MSTICPy's `RegistryValue`). Identity: key and name.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct RegistryValue {
    /// The key holding the value.
    #[serde(
        rename = "Key",
        deserialize_with = "de::nested",
        skip_serializing_if = "Option::is_none"
    )]
    pub key: Option<Box<RegistryKey>>,
    /// The value name.
    #[serde(
        rename = "Name",
        alias = "ValueName",
        deserialize_with = "de::string",
        skip_serializing_if = "Option::is_none"
    )]
    pub name: Option<String>,
    /// The value data.
    #[serde(
        rename = "Value",
        alias = "ValueData",
        deserialize_with = "de::string",
        skip_serializing_if = "Option::is_none"
    )]
    pub value: Option<String>,
    /// The value type (`REG_SZ`).
    #[serde(
        rename = "ValueType",
        deserialize_with = "de::string",
        skip_serializing_if = "Option::is_none"
    )]
    pub value_type: Option<String>,
    /// Properties huntbook has no field for.
    #[serde(flatten)]
    pub additional: Map<String, Value>,
}
