//! A small tmpfs mounted for one test and unmounted when dropped: a real disk that fills up.
//!
//! Mounting needs root (CAP_SYS_ADMIN), which CI has. Without it the test fails and says
//! so, unless `HOLDFAST_SKIP_TMPFS=1` is set, in which case it is skipped with a note.

use std::path::Path;
use std::process::Command;

/// A mounted tmpfs.
pub struct Tmpfs {
    mount_point: tempfile::TempDir,
}

impl Tmpfs {
    /// Mounts a tmpfs of `size_bytes` on a fresh directory. Returns `None` (skip the test)
    /// only when mounting fails and `HOLDFAST_SKIP_TMPFS=1` is set.
    ///
    /// # Panics
    /// When mounting fails and skipping was not asked for.
    pub fn mount(size_bytes: u64) -> Option<Self> {
        let mount_point = tempfile::tempdir().expect("a mount point");
        let outcome = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size_bytes}"), "tmpfs"])
            .arg(mount_point.path())
            .output();
        let error = match outcome {
            Ok(output) if output.status.success() => return Some(Self { mount_point }),
            Ok(output) => String::from_utf8_lossy(&output.stderr).trim().to_owned(),
            Err(error) => error.to_string(),
        };
        if std::env::var_os("HOLDFAST_SKIP_TMPFS").is_some_and(|value| value == "1") {
            eprintln!("skipped: cannot mount a tmpfs ({error}) and HOLDFAST_SKIP_TMPFS=1");
            return None;
        }
        panic!(
            "cannot mount a {size_bytes}-byte tmpfs at {}: {error}\n\
             This test fills a real small disk and needs root (CAP_SYS_ADMIN) to mount one; \
             run it as root (CI does), or set HOLDFAST_SKIP_TMPFS=1 to skip it.",
            mount_point.path().display()
        );
    }

    /// Returns the mount point.
    pub fn path(&self) -> &Path {
        self.mount_point.path()
    }

    /// Returns the free bytes an unprivileged writer could still use.
    pub fn free_bytes(&self) -> u64 {
        fs4::available_space(self.path()).expect("statvfs on the tmpfs")
    }

    /// Changes the size, keeping the contents, as an operator freeing space would.
    #[allow(dead_code, reason = "only the binary's storage failure test resizes")]
    pub fn resize(&self, size_bytes: u64) {
        let status = Command::new("mount")
            .args(["-o", &format!("remount,size={size_bytes}")])
            .arg(self.path())
            .status()
            .expect("mount runs");
        assert!(status.success(), "the tmpfs is resized");
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let unmounted = Command::new("umount")
            .arg(self.path())
            .status()
            .is_ok_and(|status| status.success());
        if !unmounted {
            // Something still has a file open (a failed test left a server running): detach
            // now, and the kernel frees the tmpfs when the last file closes.
            let _ = Command::new("umount").arg("-l").arg(self.path()).status();
        }
    }
}
