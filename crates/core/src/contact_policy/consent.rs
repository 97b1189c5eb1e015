//! Consent history: which grant or withdrawal is in force on each channel.

use super::rules::{Channel, ChannelSet};
use crate::Day;

/// One consent event: a grant or a withdrawal on a channel, with its day and where it came
/// from (imported, the API, the card, a web form... as the store records it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ConsentEvent<'a> {
    pub channel: Channel,
    pub granted: bool,
    pub day: Day,
    pub source: &'a str,
}

/// Per channel, the event in force (`None`: never asked).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ConsentInForce<'a> {
    by_channel: [Option<ConsentEvent<'a>>; 6],
}

impl<'a> ConsentInForce<'a> {
    /// The event in force on `channel`, if any.
    pub fn get(&self, channel: Channel) -> Option<ConsentEvent<'a>> {
        self.by_channel[channel as usize]
    }

    /// Channels whose event in force is a grant.
    pub fn consented(&self) -> ChannelSet {
        ChannelSet::of(
            Channel::ALL
                .into_iter()
                .filter(|&c| self.get(c).is_some_and(|e| e.granted)),
        )
    }

    /// Channels whose event in force is a withdrawal (for "withdrawn on 3 May" on the card).
    pub fn withdrawn(&self) -> ChannelSet {
        ChannelSet::of(
            Channel::ALL
                .into_iter()
                .filter(|&c| self.get(c).is_some_and(|e| !e.granted)),
        )
    }
}

/// The latest event per channel among those dated on or before `as_of`: the latest day wins,
/// and of several events on one day the one later in `events` (give them in the order they
/// were recorded). An event dated after `as_of` is not yet in force. Withdrawals are kept as
/// history by the caller; only the latest event decides.
pub fn consent_in_force<'a>(events: &[ConsentEvent<'a>], as_of: Day) -> ConsentInForce<'a> {
    let mut state = ConsentInForce::default();
    for e in events.iter().filter(|e| e.day <= as_of) {
        let slot = &mut state.by_channel[e.channel as usize];
        if slot.is_none_or(|current| e.day >= current.day) {
            *slot = Some(*e);
        }
    }
    state
}
