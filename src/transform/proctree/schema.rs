//! Column schemas of process-creation logs, and inferring one from a frame.
//!
//! A [`ProcSchema`] maps the roles a process tree needs (process name, id,
//! parent id, time, …) onto the column names of one log source. Built-in
//! schemas cover Windows Security 4688, Sysmon EventID 1, Linux auditd
//! EXECVE, Microsoft Defender for Endpoint (public `DeviceProcessEvents` and
//! the internal schema), osquery process events and Volatility `pslist`.
//! Any other source works with a custom schema:
//!
//! ```
//! use huntbook::transform::proctree::ProcSchema;
//! let schema = ProcSchema::new("my_source", "image", "pid", "ppid", "ts")
//!     .parent_name("parent_image")
//!     .cmd_line("cmd")
//!     .user_name("user");
//! assert_eq!(schema.process_name, "image");
//! assert_eq!(schema.parent_name.as_deref(), Some("parent_image"));
//! ```

use crate::error::{Error, Result};
use polars::prelude::DataFrame;
use serde::{Deserialize, Serialize};

/// The value of the event-type column that marks a process-creation event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum EventFilter {
    /// A numeric event id (4688, 1).
    Int(i64),
    /// A text event type (`SYSCALL_EXECVE`, `ProcessCreated`).
    Text(String),
}

impl std::fmt::Display for EventFilter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            EventFilter::Int(i) => write!(f, "{i}"),
            EventFilter::Text(s) => f.write_str(s),
        }
    }
}

/// Maps process-tree roles onto the columns of one log source.
///
/// The four required roles are `process_name`, `process_id`, `parent_id`
/// and `time_stamp`; the others are optional and make a richer tree.
/// Field names follow MSTICPy's `ProcSchema`; the `parent_*` and
/// `grandparent_*` fields are huntbook additions that fill in parents that
/// are not in the data themselves (Defender and Sysmon log them with every
/// child).
///
/// A schema can be written as JSON or YAML with these field names (see
/// [`ProcSchema::from_json`], [`ProcSchema::from_yaml`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProcSchema {
    /// A short name for messages (`"windows_4688"`).
    #[serde(default = "custom_name")]
    pub name: String,
    /// Process image name or path.
    pub process_name: String,
    /// Process id (hex string, integer or float-with-nulls all work).
    pub process_id: String,
    /// Parent process id.
    pub parent_id: String,
    /// Event or process-creation time.
    pub time_stamp: String,
    /// Command line.
    #[serde(default)]
    pub cmd_line: Option<String>,
    /// Path separator of process paths (`\` on Windows, `/` on Linux).
    #[serde(default = "backslash")]
    pub path_separator: String,
    /// User name.
    #[serde(default)]
    pub user_name: Option<String>,
    /// Logon (session) id of the creating process.
    #[serde(default)]
    pub logon_id: Option<String>,
    /// Host name.
    #[serde(default)]
    pub host_name: Option<String>,
    /// Parent image name or path. When absent the parent is matched on
    /// its id alone.
    #[serde(default)]
    pub parent_name: Option<String>,
    /// Logon id of the new process when it differs (4688 `TargetLogonId`).
    #[serde(default)]
    pub target_logon_id: Option<String>,
    /// User id or SID.
    #[serde(default)]
    pub user_id: Option<String>,
    /// Column holding the event type.
    #[serde(default)]
    pub event_id_column: Option<String>,
    /// The event type value of process creation; other rows are dropped.
    #[serde(default)]
    pub event_id_identifier: Option<EventFilter>,
    /// Creation time of the parent, logged with the child (Defender).
    #[serde(default)]
    pub parent_time: Option<String>,
    /// Command line of the parent, logged with the child.
    #[serde(default)]
    pub parent_cmd_line: Option<String>,
    /// User of the parent, logged with the child.
    #[serde(default)]
    pub parent_user: Option<String>,
    /// Id of the grandparent, logged with the child (Defender).
    #[serde(default)]
    pub grandparent_id: Option<String>,
    /// Image name of the grandparent, logged with the child (Defender).
    #[serde(default)]
    pub grandparent_name: Option<String>,
    /// Creation time of the grandparent, logged with the child (Defender).
    #[serde(default)]
    pub grandparent_time: Option<String>,
}

fn custom_name() -> String {
    "custom".to_string()
}

fn backslash() -> String {
    "\\".to_string()
}

impl ProcSchema {
    /// A custom schema with the four required roles; add the optional ones
    /// with the builder methods.
    pub fn new(
        name: &str,
        process_name: &str,
        process_id: &str,
        parent_id: &str,
        time_stamp: &str,
    ) -> Self {
        Self {
            name: name.to_string(),
            process_name: process_name.to_string(),
            process_id: process_id.to_string(),
            parent_id: parent_id.to_string(),
            time_stamp: time_stamp.to_string(),
            cmd_line: None,
            path_separator: backslash(),
            user_name: None,
            logon_id: None,
            host_name: None,
            parent_name: None,
            target_logon_id: None,
            user_id: None,
            event_id_column: None,
            event_id_identifier: None,
            parent_time: None,
            parent_cmd_line: None,
            parent_user: None,
            grandparent_id: None,
            grandparent_name: None,
            grandparent_time: None,
        }
    }

    /// Sets the command-line column.
    pub fn cmd_line(mut self, col: &str) -> Self {
        self.cmd_line = Some(col.to_string());
        self
    }
    /// Sets the path separator.
    pub fn path_separator(mut self, sep: &str) -> Self {
        self.path_separator = sep.to_string();
        self
    }
    /// Sets the user-name column.
    pub fn user_name(mut self, col: &str) -> Self {
        self.user_name = Some(col.to_string());
        self
    }
    /// Sets the logon-id column.
    pub fn logon_id(mut self, col: &str) -> Self {
        self.logon_id = Some(col.to_string());
        self
    }
    /// Sets the host-name column.
    pub fn host_name(mut self, col: &str) -> Self {
        self.host_name = Some(col.to_string());
        self
    }
    /// Sets the parent-name column.
    pub fn parent_name(mut self, col: &str) -> Self {
        self.parent_name = Some(col.to_string());
        self
    }
    /// Sets the target-logon-id column.
    pub fn target_logon_id(mut self, col: &str) -> Self {
        self.target_logon_id = Some(col.to_string());
        self
    }
    /// Sets the user-id column.
    pub fn user_id(mut self, col: &str) -> Self {
        self.user_id = Some(col.to_string());
        self
    }
    /// Keeps only rows whose `col` equals `value`.
    pub fn event_filter(mut self, col: &str, value: EventFilter) -> Self {
        self.event_id_column = Some(col.to_string());
        self.event_id_identifier = Some(value);
        self
    }
    /// Sets the parent-creation-time column.
    pub fn parent_time(mut self, col: &str) -> Self {
        self.parent_time = Some(col.to_string());
        self
    }
    /// Sets the parent-command-line column.
    pub fn parent_cmd_line(mut self, col: &str) -> Self {
        self.parent_cmd_line = Some(col.to_string());
        self
    }
    /// Sets the parent-user column.
    pub fn parent_user(mut self, col: &str) -> Self {
        self.parent_user = Some(col.to_string());
        self
    }
    /// Sets the grandparent id, name and time columns.
    pub fn grandparent(mut self, id: &str, name: &str, time: &str) -> Self {
        self.grandparent_id = Some(id.to_string());
        self.grandparent_name = Some(name.to_string());
        self.grandparent_time = Some(time.to_string());
        self
    }

    /// Windows Security event 4688 (MSTICPy `WIN_EVENT_SCH`).
    pub fn windows_4688() -> Self {
        Self::new(
            "windows_4688",
            "NewProcessName",
            "NewProcessId",
            "ProcessId",
            "TimeGenerated",
        )
        .parent_name("ParentProcessName")
        .logon_id("SubjectLogonId")
        .target_logon_id("TargetLogonId")
        .cmd_line("CommandLine")
        .user_name("SubjectUserName")
        .user_id("SubjectUserSid")
        .event_filter("EventID", EventFilter::Int(4688))
        .host_name("Computer")
    }

    /// Sysmon EventID 1, process creation (MSTICPy
    /// `SYSMON_PROCESS_CREATE_EVENT_SCH`, plus the parent's command line and
    /// user that Sysmon logs with each child).
    pub fn sysmon_1() -> Self {
        Self::new(
            "sysmon_1",
            "Image",
            "ProcessId",
            "ParentProcessId",
            "UtcTime",
        )
        .parent_name("ParentImage")
        .logon_id("LogonId")
        .cmd_line("CommandLine")
        .user_name("User")
        .event_filter("EventID", EventFilter::Int(1))
        .host_name("Computer")
        .parent_cmd_line("ParentCommandLine")
        .parent_user("ParentUser")
    }

    /// Linux auditd EXECVE events as huntbook's auditd parser writes them
    /// (one row per `SYSCALL`+`EXECVE` record group, MSTICPy `LX_EVENT_SCH`):
    /// `TimeGenerated, Computer, EventType = "SYSCALL_EXECVE", exe, pid, ppid,
    /// ses, cmdline, acct, uid`. Parents are matched on pid alone.
    pub fn linux_auditd() -> Self {
        Self::new("linux_auditd", "exe", "pid", "ppid", "TimeGenerated")
            .logon_id("ses")
            .cmd_line("cmdline")
            .user_name("acct")
            .path_separator("/")
            .user_id("uid")
            .event_filter("EventType", EventFilter::Text("SYSCALL_EXECVE".into()))
            .host_name("Computer")
    }

    /// Microsoft Defender for Endpoint / Sentinel `DeviceProcessEvents`
    /// (public schema). The parent (`InitiatingProcess*`) and grandparent
    /// (`InitiatingProcessParent*`) logged with each child fill in parents
    /// that are not in the data.
    pub fn mde_public() -> Self {
        Self::new(
            "mde_public",
            "FileName",
            "ProcessId",
            "InitiatingProcessId",
            "Timestamp",
        )
        .parent_name("InitiatingProcessFileName")
        .logon_id("InitiatingProcessLogonId")
        .target_logon_id("LogonId")
        .cmd_line("ProcessCommandLine")
        .user_name("AccountName")
        .user_id("AccountSid")
        .host_name("DeviceName")
        .event_filter("ActionType", EventFilter::Text("ProcessCreated".into()))
        .parent_time("InitiatingProcessCreationTime")
        .parent_cmd_line("InitiatingProcessCommandLine")
        .parent_user("InitiatingProcessAccountName")
        .grandparent(
            "InitiatingProcessParentId",
            "InitiatingProcessParentFileName",
            "InitiatingProcessParentCreationTime",
        )
    }

    /// Microsoft Defender for Endpoint internal (advanced hunting API v1)
    /// schema (MSTICPy `MDE_INT_EVENT_SCH`).
    pub fn mde_internal() -> Self {
        Self::new(
            "mde_internal",
            "CreatedProcessName",
            "CreatedProcessId",
            "InitiatingProcessId",
            "CreatedProcessCreationTime",
        )
        .parent_name("InitiatingProcessName")
        .logon_id("InitiatingProcessLogonId")
        .target_logon_id("LogonId")
        .cmd_line("CreatedProcessCommandLine")
        .user_name("CreatedProcessAccountName")
        .user_id("CreatedProcessAccountSid")
        .host_name("ComputerDnsName")
        .parent_time("InitiatingProcessCreationTime")
        .parent_cmd_line("InitiatingProcessCommandLine")
        .parent_user("InitiatingProcessAccountName")
        .grandparent(
            "CreatedProcessParentId",
            "CreatedProcessParentName",
            "CreatedProcessParentCreationTimeUtc",
        )
    }

    /// osquery `processes` / `process_events` results (flattened `columns`
    /// plus `calendarTime`, `hostIdentifier`). Unlike MSTICPy's
    /// `OSQUERY_EVENT_SCH`, `pcmdline` is the parent's command line, not its
    /// name, so parents are matched on pid alone.
    pub fn osquery() -> Self {
        Self::new("osquery", "name", "pid", "parent", "calendarTime")
            .cmd_line("cmdline")
            .user_name("username")
            .path_separator("/")
            .user_id("uid")
            .host_name("hostIdentifier")
            .parent_cmd_line("pcmdline")
    }

    /// Volatility 3 `windows.pslist` output (`winproctree-minimal.csv`):
    /// `PID, PPID, ImageFileName, CreateTime`. Parents are matched on PID alone.
    pub fn volatility_pslist() -> Self {
        Self::new(
            "volatility_pslist",
            "ImageFileName",
            "PID",
            "PPID",
            "CreateTime",
        )
    }

    /// Every built-in schema, in inference priority order.
    pub fn builtin() -> Vec<ProcSchema> {
        vec![
            Self::windows_4688(),
            Self::sysmon_1(),
            Self::linux_auditd(),
            Self::mde_public(),
            Self::mde_internal(),
            Self::osquery(),
            Self::volatility_pslist(),
        ]
    }

    /// A built-in schema by name (`windows_4688` or `windows`/`4688`,
    /// `sysmon_1`/`sysmon`, `linux_auditd`/`linux`/`auditd`, `mde_public`/`mde`,
    /// `mde_internal`, `osquery`, `volatility_pslist`/`volatility`).
    pub fn by_name(name: &str) -> Result<Self> {
        let s = match name.to_ascii_lowercase().replace('-', "_").as_str() {
            "windows_4688" | "windows" | "4688" | "win" => Self::windows_4688(),
            "sysmon_1" | "sysmon" => Self::sysmon_1(),
            "linux_auditd" | "linux" | "auditd" => Self::linux_auditd(),
            "mde_public" | "mde" | "deviceprocessevents" => Self::mde_public(),
            "mde_internal" => Self::mde_internal(),
            "osquery" => Self::osquery(),
            "volatility_pslist" | "volatility" | "pslist" => Self::volatility_pslist(),
            _ => {
                return Err(Error::invalid(
                    format!("process schema '{name}'"),
                    "unknown: use windows_4688, sysmon_1, linux_auditd, mde_public, \
                     mde_internal, osquery, volatility_pslist, or a JSON/YAML schema file",
                ));
            }
        };
        Ok(s)
    }

    /// A schema from JSON with [`ProcSchema`]'s field names.
    pub fn from_json(json: &str) -> Result<Self> {
        serde_json::from_str(json).map_err(|source| Error::Json {
            context: "reading process schema".to_string(),
            source,
        })
    }

    /// A schema from YAML with [`ProcSchema`]'s field names.
    pub fn from_yaml(yaml: &str) -> Result<Self> {
        serde_yaml::from_str(yaml)
            .map_err(|e| Error::invalid("process schema (YAML)", e.to_string()))
    }

    /// The columns the schema names, required roles first.
    pub fn columns(&self) -> Vec<&str> {
        let mut cols = vec![
            self.process_name.as_str(),
            self.process_id.as_str(),
            self.parent_id.as_str(),
            self.time_stamp.as_str(),
        ];
        for c in [
            &self.cmd_line,
            &self.user_name,
            &self.logon_id,
            &self.host_name,
            &self.parent_name,
            &self.target_logon_id,
            &self.user_id,
            &self.event_id_column,
            &self.parent_time,
            &self.parent_cmd_line,
            &self.parent_user,
            &self.grandparent_id,
            &self.grandparent_name,
            &self.grandparent_time,
        ]
        .into_iter()
        .flatten()
        {
            cols.push(c.as_str());
        }
        cols
    }

    /// The required columns that `df` lacks.
    pub fn missing_required(&self, df: &DataFrame) -> Vec<String> {
        [
            &self.process_name,
            &self.process_id,
            &self.parent_id,
            &self.time_stamp,
        ]
        .into_iter()
        .filter(|c| df.column(c.as_str()).is_err())
        .map(|c| c.to_string())
        .collect()
    }

    /// Checks that `df` has the required columns, naming every missing one.
    pub fn check(&self, df: &DataFrame) -> Result<()> {
        let missing = self.missing_required(df);
        match missing.first() {
            None => Ok(()),
            Some(first) if missing.len() == 1 => Err(Error::column_not_found(
                first,
                &format!("process events (schema {})", self.name),
                df.get_column_names().iter().map(|c| c.as_str()),
            )),
            Some(_) => Err(Error::invalid(
                format!("process events (schema {})", self.name),
                format!(
                    "columns [{}] not found; the frame has [{}]",
                    missing.join(", "),
                    df.get_column_names()
                        .iter()
                        .map(|c| c.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )),
        }
    }

    /// The built-in schema that best fits `df`: every required column
    /// present, most schema columns present; ties go to the earlier schema
    /// in [`ProcSchema::builtin`]. MSTICPy needs only 4 matching columns of
    /// any role, which can pick a schema whose required columns are missing.
    pub fn infer(df: &DataFrame) -> Result<Self> {
        let mut best: Option<(usize, ProcSchema)> = None;
        for schema in Self::builtin() {
            if !schema.missing_required(df).is_empty() {
                continue;
            }
            let n = schema
                .columns()
                .iter()
                .filter(|c| df.column(c).is_ok())
                .count();
            if best.as_ref().is_none_or(|(b, _)| n > *b) {
                best = Some((n, schema));
            }
        }
        best.map(|(_, s)| s).ok_or_else(|| {
            Error::invalid(
                "process events",
                format!(
                    "no built-in process schema fits the columns [{}]; pass a schema \
                     (ProcSchema::new(name, process_name, process_id, parent_id, time_stamp))",
                    df.get_column_names()
                        .iter()
                        .map(|c| c.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use polars::prelude::*;

    #[test]
    fn infers_windows_and_linux() {
        let win = df!(
            "TimeGenerated" => ["2024-01-01"], "NewProcessName" => ["a"],
            "NewProcessId" => ["0x1"], "ProcessId" => ["0x2"], "ParentProcessName" => ["b"]
        )
        .unwrap();
        assert_eq!(ProcSchema::infer(&win).unwrap().name, "windows_4688");
        let lx = df!(
            "TimeGenerated" => ["2024-01-01"], "exe" => ["/bin/sh"], "pid" => [1i64], "ppid" => [0i64]
        )
        .unwrap();
        assert_eq!(ProcSchema::infer(&lx).unwrap().name, "linux_auditd");
        let none = df!("x" => [1i64]).unwrap();
        let err = ProcSchema::infer(&none).unwrap_err().to_string();
        assert!(
            err.contains("no built-in process schema fits the columns [x]"),
            "{err}"
        );
    }

    #[test]
    fn schema_from_json_and_names() {
        let s = ProcSchema::from_json(
            r#"{"process_name":"img","process_id":"p","parent_id":"pp","time_stamp":"t",
                "event_id_column":"ev","event_id_identifier":7}"#,
        )
        .unwrap();
        assert_eq!(s.name, "custom");
        assert_eq!(s.event_id_identifier, Some(EventFilter::Int(7)));
        assert!(ProcSchema::from_json(r#"{"process_name":"x"}"#).is_err());
        assert_eq!(ProcSchema::by_name("Sysmon").unwrap().name, "sysmon_1");
        assert!(ProcSchema::by_name("nope").is_err());
    }

    #[test]
    fn missing_columns_are_named() {
        let df = df!("NewProcessName" => ["a"], "TimeGenerated" => ["t"]).unwrap();
        let err = ProcSchema::windows_4688()
            .check(&df)
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "invalid process events (schema windows_4688): columns [NewProcessId, ProcessId] \
             not found; the frame has [NewProcessName, TimeGenerated]"
        );
    }
}
