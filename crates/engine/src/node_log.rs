//! A cluster node's log: Ballista reports through the `log` facade (an executor lost, tasks
//! reset, a stage rolled back, a fetch failed), and without a logger installed those lines go
//! nowhere, which leaves an operator (and the kill test) blind when a job stalls. This prints them
//! to standard error, at the level `CLIENTELE_LOG` names (`error`, `warn` (the default), `info`,
//! `debug`, `trace`), each line with its UTC time.

use std::io::Write;
use std::time::{SystemTime, UNIX_EPOCH};

use clientele_core::Day;
use log::{LevelFilter, Log, Metadata, Record};

/// The environment variable naming the level.
pub const LEVEL_VARIABLE: &str = "CLIENTELE_LOG";

struct StandardErrorLog {
    level: LevelFilter,
}

impl Log for StandardErrorLog {
    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        metadata.level() <= self.level
    }

    fn log(&self, record: &Record<'_>) {
        if !self.enabled(record.metadata()) {
            return;
        }
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        let seconds = now.as_secs();
        let day = Day::from_days_since_epoch((seconds / 86_400) as i32);
        let of_day = seconds % 86_400;
        // One write per line, so lines of concurrent tasks do not interleave.
        let line = format!(
            "{day}T{:02}:{:02}:{:02}.{:03}Z {:5} {}: {}\n",
            of_day / 3_600,
            of_day / 60 % 60,
            of_day % 60,
            now.subsec_millis(),
            record.level(),
            record.target(),
            record.args()
        );
        let _ = std::io::stderr().lock().write_all(line.as_bytes());
    }

    fn flush(&self) {
        let _ = std::io::stderr().flush();
    }
}

/// The level a value of `CLIENTELE_LOG` names; `None` for a value that names none.
pub fn level_named(value: &str) -> Option<LevelFilter> {
    match value.trim().to_ascii_lowercase().as_str() {
        "off" => Some(LevelFilter::Off),
        "error" => Some(LevelFilter::Error),
        "warn" | "warning" => Some(LevelFilter::Warn),
        "info" => Some(LevelFilter::Info),
        "debug" => Some(LevelFilter::Debug),
        "trace" => Some(LevelFilter::Trace),
        _ => None,
    }
}

/// Installs the log once per process (a second call changes nothing). An unknown level is said
/// on standard error and the default used, rather than starting a node that logs nothing.
pub fn install() {
    let level = match std::env::var(LEVEL_VARIABLE) {
        Ok(value) => level_named(&value).unwrap_or_else(|| {
            eprintln!(
                "{LEVEL_VARIABLE}={value:?} names no level (error, warn, info, debug, trace, off): \
                 logging warnings"
            );
            LevelFilter::Warn
        }),
        Err(_) => LevelFilter::Warn,
    };
    // `set_logger` with a leaked box, not `set_boxed_logger`: the latter needs `log`'s `std`
    // feature, which would change the build of `log` that all of DataFusion and Ballista link and
    // recompile them. One small box per process, installed once.
    let logger: &'static StandardErrorLog = Box::leak(Box::new(StandardErrorLog { level }));
    if log::set_logger(logger).is_ok() {
        log::set_max_level(level);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use log::Level;

    #[test]
    fn levels_are_named_in_any_case_and_unknown_names_are_refused() {
        assert_eq!(level_named("INFO"), Some(LevelFilter::Info));
        assert_eq!(level_named(" warning "), Some(LevelFilter::Warn));
        assert_eq!(level_named("off"), Some(LevelFilter::Off));
        assert_eq!(level_named("verbose"), None);
        assert_eq!(level_named(""), None);
        assert!(Level::Warn <= LevelFilter::Warn);
        assert!(Level::Info > LevelFilter::Warn);
    }
}
