//! The commands that change what a performance sells rather than a hold: holdbacks of seats
//! and places, a channel's allocation, the sale status, and a new description the engine has
//! already written. Each is decided, applied and journaled like a hold's command.
//!
//! # Caveats
//! - A new description is applied at once: the engine writes its record durably first, so a
//!   later change decided under it is journaled after it.

use std::sync::Arc;

use super::PerformanceCore;
use crate::actor::messages::{
    ChangeHoldbacks, ManagePerformance, PerformanceView, Reply, UpdateInfo,
};
use crate::domain::Command;

impl PerformanceCore {
    /// Takes seats and places off sale or puts them back.
    pub fn change_holdbacks(&mut self, message: ChangeHoldbacks) -> Reply<PerformanceView> {
        let command = Command::ChangeHoldbacks {
            withhold: message.withhold,
            release: message.release,
            withhold_places: message.withhold_places,
            release_places: message.release_places,
        };
        self.manage(ManagePerformance { command })
    }

    /// Changes an allocation or the sale status, answering the performance as it is then.
    pub fn manage(&mut self, message: ManagePerformance) -> Reply<PerformanceView> {
        match self.execute(&message.command) {
            Ok(seq) => self.reply(seq, Ok(self.performance_view())),
            Err(error) => self.reply(0, Err(error)),
        }
    }

    /// Takes a new description, which the engine has already written durably: later
    /// decisions use its hold time and rules.
    pub fn update_info(&mut self, message: UpdateInfo) -> Reply<PerformanceView> {
        self.info = Arc::new(message.info.clone());
        self.performance.set_info(message.info);
        self.read(|core| Ok(core.performance_view()))
    }
}
