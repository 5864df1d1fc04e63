//! Progress bars for blob downloads, drawn on standard error when it is a terminal.

use drydock_image::analyze::{Progress, ProgressTask};
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

pub struct Bars {
    multi: MultiProgress,
}

impl Bars {
    pub fn new() -> Self {
        Bars {
            multi: MultiProgress::with_draw_target(ProgressDrawTarget::stderr()),
        }
    }
}

struct Bar(ProgressBar);

impl ProgressTask for Bar {
    fn advance(&self, bytes: u64) {
        self.0.inc(bytes);
    }
}

impl Drop for Bar {
    fn drop(&mut self) {
        self.0.finish_and_clear();
    }
}

impl Progress for Bars {
    fn start(&self, label: &str, total: Option<u64>) -> Box<dyn ProgressTask> {
        let bar = match total {
            Some(total) => ProgressBar::new(total).with_style(
                ProgressStyle::with_template(
                    "{msg:30} {bar:30} {bytes:>10}/{total_bytes:10} {bytes_per_sec}",
                )
                .expect("valid template"),
            ),
            None => ProgressBar::new_spinner().with_style(
                ProgressStyle::with_template("{msg:30} {spinner} {bytes:>10} {bytes_per_sec}")
                    .expect("valid template"),
            ),
        };
        let bar = self.multi.add(bar.with_message(label.to_string()));
        Box::new(Bar(bar))
    }
}

/// A spinner with a message and the elapsed time, for long steps without a byte count
/// (building or updating the database); drawn only on a terminal, cleared when dropped.
pub struct Spinner(Option<ProgressBar>);

impl Spinner {
    pub fn start(show: bool, message: &str) -> Self {
        if !show {
            return Spinner(None);
        }
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr()).with_style(
            ProgressStyle::with_template("{spinner} {msg} ({elapsed})").expect("valid template"),
        );
        bar.set_message(message.to_string());
        bar.enable_steady_tick(std::time::Duration::from_millis(120));
        Spinner(Some(bar))
    }
}

impl Drop for Spinner {
    fn drop(&mut self) {
        if let Some(bar) = &self.0 {
            bar.finish_and_clear();
        }
    }
}
