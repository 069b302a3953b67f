//! Progress bars for the long phases (reading a catalog, parsing the migrations, rendering,
//! writing and replaying files), drawn on stderr and cleared when the phase ends, so that
//! the terminal shows afterwards exactly what it would have shown without them.
//!
//! Hidden unless the binary enables them (stderr is a terminal and the output is not
//! JSON): library users and tests see nothing. A hidden `Progress` is a no-op, so a call
//! site is one line whatever the visibility. One bar at a time (one asked for while another
//! is shown stays hidden: a phase finishes its bar before the next begins), and none while a
//! prompt is up (see `prompt`): a bar never shares a line with a question.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

static ENABLED: AtomicBool = AtomicBool::new(false);
/// The bar on the terminal, if one is.
static SHOWN: Mutex<Option<ProgressBar>> = Mutex::new(None);
/// Prompts being asked: while one is, new bars are hidden.
static PROMPTS: AtomicUsize = AtomicUsize::new(0);

/// Decides once, at startup, whether bars are drawn.
pub fn enable(on: bool) {
    ENABLED.store(on, Ordering::Relaxed);
}

/// A bar or spinner on stderr, or nothing. Finished (and cleared) when dropped.
#[derive(Default)]
pub struct Progress(Option<ProgressBar>);

impl Progress {
    /// Nothing shown: what a phase gets when bars are off.
    pub fn hidden() -> Progress {
        Progress(None)
    }

    /// A bar of `len` steps: `message [=====>    ] 120/800`.
    pub fn bar(len: usize, message: &'static str) -> Progress {
        Progress::show(|| {
            let style = ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len}")
                .expect("a valid template")
                .progress_chars("=> ");
            ProgressBar::with_draw_target(Some(len as u64), ProgressDrawTarget::stderr())
                .with_style(style)
                .with_message(message)
        })
    }

    /// A spinner counting steps of unknown number: `⠙ message (step 14, 3s)`. It turns on
    /// its own while one step takes long (a slow catalog query).
    pub fn spinner(message: &'static str, step: &'static str) -> Progress {
        Progress::show(|| {
            let style = ProgressStyle::with_template("{spinner} {msg} ({prefix} {pos}, {elapsed})")
                .expect("a valid template");
            let spinner = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr())
                .with_style(style)
                .with_message(message)
                .with_prefix(step);
            spinner.enable_steady_tick(Duration::from_millis(120));
            spinner
        })
    }

    /// The bar `make` builds, if bars are on, no prompt is up and no other bar is shown.
    fn show(make: impl FnOnce() -> ProgressBar) -> Progress {
        if !ENABLED.load(Ordering::Relaxed) || PROMPTS.load(Ordering::Acquire) > 0 {
            return Progress(None);
        }
        let mut shown = shown();
        if shown.is_some() {
            return Progress(None);
        }
        let bar = make();
        *shown = Some(bar.clone());
        Progress(Some(bar))
    }

    /// One step done. The drawing is rate limited (20 times a second at most), so a step
    /// costs little more than an atomic add.
    pub fn inc(&self) {
        if let Some(bar) = &self.0 {
            bar.inc(1);
        }
    }

    /// Ends the phase: the bar is erased from the terminal.
    pub fn finish(self) {}
}

impl Drop for Progress {
    fn drop(&mut self) {
        if let Some(bar) = self.0.take() {
            bar.finish_and_clear();
            *shown() = None;
        }
    }
}

fn shown() -> MutexGuard<'static, Option<ProgressBar>> {
    SHOWN.lock().unwrap_or_else(|e| e.into_inner())
}

/// Erases the bar shown, if any, so that a last message starts on a clean line: for a
/// process about to exit (Ctrl-C during a replay).
pub fn clear() {
    if let Some(bar) = shown().take() {
        bar.finish_and_clear();
    }
}

/// Held while a question is asked on the terminal: no bar starts until it is dropped.
pub struct Prompt(());

/// Call before asking a question; every bar of the phases before is already finished.
pub fn prompt() -> Prompt {
    debug_assert!(
        shown().is_none(),
        "a progress bar is still shown when a question is asked"
    );
    PROMPTS.fetch_add(1, Ordering::AcqRel);
    Prompt(())
}

impl Drop for Prompt {
    fn drop(&mut self) {
        PROMPTS.fetch_sub(1, Ordering::AcqRel);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hidden_by_default() {
        let bar = Progress::bar(10, "parsing migrations");
        assert!(bar.0.is_none());
        bar.inc();
        bar.finish();
        assert!(Progress::spinner("reading the catalog", "query")
            .0
            .is_none());
    }
}
