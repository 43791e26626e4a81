//! `save()` is atomic: a process killed with SIGKILL in the middle of saving leaves the file
//! with either its old or its new complete content, and the file loads.
//!
//! The test runs itself as the child: with `COGNATE_SAVE_CHILD` set it saves two large
//! states in turn, forever, announcing each save on stdout before starting it. The parent
//! kills it at a different save each round, at two kinds of moments: right after reading the
//! announcement (while the state is being serialized or written), and at the first change it
//! observes in the file's metadata (size, modification time or inode) after the announcement
//! (while the file is being replaced). With a plain `std::fs::write` in `save()` this test
//! fails: the file is found truncated.

use std::io::{BufRead, BufReader};
#[cfg(unix)]
use std::os::unix::fs::MetadataExt;
use std::path::Path;
use std::process::Stdio;

use cognate_core::{Example, SignatureDesc};
use cognate_runtime::{Predictor, SaveState};

const CHILD_ENV: &str = "COGNATE_SAVE_CHILD";
const ANNOUNCE: &str = "cognate-saving ";
const DEMOS: usize = 500;

/// A predictor whose saved state is a few megabytes, its demos filled with `fill`.
fn large_predictor(fill: char) -> Predictor {
    let mut predictor = Predictor::new(SignatureDesc::parse("question -> answer: int").unwrap());
    let text: String = std::iter::repeat_n(fill, 10_000).collect();
    predictor.demos =
        (0..DEMOS).map(|i| Example::default().with("question", format!("{i} {text}")).with("answer", i)).collect();
    predictor
}

fn child_saves_forever(path: &Path) -> ! {
    let states = [large_predictor('a'), large_predictor('b')];
    for n in 0u64.. {
        println!("{ANNOUNCE}{n}");
        states[(n % 2) as usize].save(path).unwrap();
    }
    unreachable!("the parent kills this process")
}

/// What changes when a file is rewritten or replaced.
fn fingerprint(path: &Path) -> Option<(u64, std::time::SystemTime, u64)> {
    let meta = std::fs::metadata(path).ok()?;
    #[cfg(unix)]
    let inode = meta.ino();
    #[cfg(not(unix))]
    let inode = 0;
    Some((meta.len(), meta.modified().ok()?, inode))
}

#[test]
fn a_kill_during_save_leaves_the_old_or_the_new_state() {
    // Not a skip: the variable is set only by this test, on the child it spawns below, to
    // give that process its role. The test itself always runs and needs nothing outside.
    if let Ok(path) = std::env::var(CHILD_ENV) {
        child_saves_forever(Path::new(&path));
    }
    let dir = std::env::temp_dir().join(format!("cognate-kill-during-save-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("state.json");
    let versions = [large_predictor('a').save_to_string(), large_predictor('b').save_to_string()];
    assert!(versions[0].len() > 5_000_000);
    large_predictor('b').save(&path).unwrap();

    let mut outcomes = [0usize; 2];
    for round in 0..6u64 {
        let mut child =
            cognate_testing::rerun_test(module_path!(), "a_kill_during_save_leaves_the_old_or_the_new_state")
                .env(CHILD_ENV, &path)
                .stdout(Stdio::piped())
                .stderr(Stdio::null())
                .spawn()
                .unwrap();
        // Kill while save number `round % 4` is under way (the first saves of a child
        // replace the previous round's last complete file).
        let target = format!("{ANNOUNCE}{}", round % 4);
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let announced = lines.by_ref().map_while(Result::ok).any(|line| line.ends_with(&target));
        if announced && round % 2 == 1 {
            // Spin until the file changes: the child is then replacing it.
            let before = fingerprint(&path);
            while fingerprint(&path) == before {
                if let Some(status) = child.try_wait().unwrap() {
                    panic!("the child ended while saving ({status})");
                }
            }
        }
        child.kill().unwrap();
        let status = child.wait().unwrap();
        assert!(announced, "the child ended before announcing `{target}` ({status})");

        let content = std::fs::read_to_string(&path).unwrap();
        let which = versions.iter().position(|v| *v == content);
        let Some(which) = which else {
            panic!(
                "round {round}: after the kill the file is neither the old nor the new state ({} bytes, expected {})",
                content.len(),
                versions[0].len()
            );
        };
        outcomes[which] += 1;
        let mut loaded = Predictor::new(SignatureDesc::parse("question -> answer: int").unwrap());
        loaded.load(&path).unwrap();
        assert_eq!(loaded.demos.len(), DEMOS);
    }
    // Each round leaves one complete version; which one depends on timing, so no assertion
    // on `outcomes` beyond their total.
    assert_eq!(outcomes.iter().sum::<usize>(), 6);
    std::fs::remove_dir_all(&dir).unwrap();
}
