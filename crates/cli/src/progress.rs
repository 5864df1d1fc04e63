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
