//! [`rerun_test`]: a test that needs a second process runs its own test binary again.

use std::process::Command;

/// A command that runs one test of the current test binary alone, in a child process: the
/// test `name` in the module `module_path` (pass `module_path!()`; the crate's name is
/// dropped, as the harness lists tests without it), with `--exact --nocapture
/// --test-threads=1`. The caller adds the environment variable that gives the child its role
/// (the test checks it first, does its part and exits) and its pipes.
///
/// ```no_run
/// let mut child = cognate_testing::rerun_test(module_path!(), "a_kill_during_save")
///     .env("MY_CHILD_ROLE", "writer")
///     .spawn()
///     .unwrap();
/// # child.kill().unwrap();
/// ```
///
/// # Panics
/// When the current executable's path cannot be read.
pub fn rerun_test(module_path: &str, name: &str) -> Command {
    let module = module_path.split_once("::").map_or("", |(_, path)| path);
    let test = if module.is_empty() { name.to_owned() } else { format!("{module}::{name}") };
    let mut command = Command::new(std::env::current_exe().expect("the test binary's path"));
    command.args([test.as_str(), "--exact", "--nocapture", "--test-threads=1"]);
    command
}
