//! The status line on a terminal: the step in progress after a spinner,
//! redrawn ten times a second by one background thread until it is cleared
//! for a permanent line. Only `ui` draws it, and only on a terminal.

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

const FRAMES: [char; 10] = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

#[derive(Debug, Clone, Default)]
pub struct Spinner {
    state: Arc<Mutex<State>>,
}

#[derive(Debug, Default)]
struct State {
    line: Option<String>,
    frame: usize,
    ticking: bool,
}

impl Spinner {
    /// Shows `line` as the step in progress (replacing the previous one).
    pub fn set(&self, line: &str) {
        let Ok(mut s) = self.state.lock() else {
            return;
        };
        s.line = Some(line.to_owned());
        draw(&mut s);
        if !s.ticking {
            s.ticking = true;
            let state = Arc::clone(&self.state);
            // Detached: the process ends it; it only ever redraws.
            std::thread::spawn(move || tick(&state));
        }
    }

    /// Erases the status line, if one is shown, so that a permanent line
    /// can be printed in its place.
    pub fn clear(&self) {
        let Ok(mut s) = self.state.lock() else {
            return;
        };
        if s.line.take().is_some() {
            let mut err = std::io::stderr().lock();
            let _ = write!(err, "\r\x1b[K");
            let _ = err.flush();
        }
    }
}

fn tick(state: &Mutex<State>) {
    loop {
        std::thread::sleep(Duration::from_millis(100));
        let Ok(mut s) = state.lock() else {
            return;
        };
        if s.line.is_some() {
            s.frame = (s.frame + 1) % FRAMES.len();
            draw(&mut s);
        }
    }
}

fn draw(s: &mut State) {
    if let Some(line) = &s.line {
        let mut err = std::io::stderr().lock();
        let _ = write!(err, "\r\x1b[K{} {line}", FRAMES[s.frame]);
        let _ = err.flush();
    }
}
