//! IDs for connections, sessions, requests and dispatches, of the form
//! `XX_MMMMM_NN` (Lactoserv `IdGenerator`; spec LOG-6).
//!
//! One process-wide generator hands them out, so every ID logged in a given
//! minute is distinct; the two letters only make neighbouring IDs easy to
//! tell apart by eye.

use std::sync::Mutex;

use crate::quant::Moment;

/// A source of IDs; [`new_id`] uses the process-wide one.
#[derive(Debug)]
pub struct IdGenerator {
    /// The minute number of the last ID made (`None` before the first),
    /// and the next sequence number within it.
    state: Mutex<(Option<u32>, u64)>,
}

/// The process-wide generator.
static GENERATOR: IdGenerator = IdGenerator::new();

/// A fresh ID from the process-wide generator, for the current time.
pub fn new_id() -> String {
    GENERATOR.make_id(Moment::now())
}

impl IdGenerator {
    /// A generator that has made no IDs yet.
    pub const fn new() -> Self {
        Self {
            state: Mutex::new((None, 0)),
        }
    }

    /// A fresh ID for time `now`.
    pub fn make_id(&self, now: Moment) -> String {
        let now_sec = now.at_sec();
        // As the reference computes it: multiplying by 1/60 (not dividing
        // by 60), then keeping 20 bits of the whole number of minutes.
        let minute = ((now_sec * (1.0 / 60.0)).trunc() as i64 & 0xf_ffff) as u32;

        let sequence = {
            // The state is two plain numbers, valid even if a holder of the
            // lock panicked.
            let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
            if state.0 != Some(minute) {
                *state = (Some(minute), 0);
            }
            let sequence = state.1;
            state.1 += 1;
            sequence
        };

        let mut sequence_text = format!("{sequence:x}");
        if sequence_text.len() % 2 == 1 {
            sequence_text.insert(0, '0');
        }
        format!("{}_{minute:05x}_{sequence_text}", prefix(now_sec, sequence))
    }
}

impl Default for IdGenerator {
    fn default() -> Self {
        Self::new()
    }
}

/// Two letters derived from the time and sequence number.
fn prefix(now_sec: f64, sequence: u64) -> String {
    let base = now_sec * 1000.0 + sequence as f64 * f64::from(26 * 3 + 1);
    let letter = |n: f64| char::from(b'a' + (n.rem_euclid(26.0).floor() as u8 % 26));
    format!("{}{}", letter(base), letter((base / 26.0).trunc()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn is_id(id: &str) -> bool {
        let parts: Vec<&str> = id.split('_').collect();
        parts.len() == 3
            && parts[0].len() == 2
            && parts[0].bytes().all(|b| b.is_ascii_lowercase())
            && parts[1].len() == 5
            && parts[2].len().is_multiple_of(2)
            && parts[1..]
                .iter()
                .all(|p| p.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')))
    }

    #[test]
    fn ids_in_one_minute_count_up_from_zero() {
        let generator = IdGenerator::new();
        let now = Moment::new(1_795_798_643.78);
        let ids: Vec<String> = (0..4).map(|_| generator.make_id(now)).collect();
        for (n, id) in ids.iter().enumerate() {
            assert!(is_id(id), "{id}");
            assert!(id.ends_with(&format!("_8b1f9_0{n}")), "{id}");
        }
    }

    #[test]
    fn letters_come_from_the_time_and_sequence_number() {
        // b = 26 gives letters 0 and 1; b = 26 + 79 = 105 gives 1 and 4.
        let generator = IdGenerator::new();
        assert_eq!(generator.make_id(Moment::new(0.026)), "ab_00000_00");
        assert_eq!(generator.make_id(Moment::new(0.026)), "be_00000_01");
    }

    #[test]
    fn sequence_numbers_are_padded_to_an_even_number_of_digits() {
        let generator = IdGenerator::new();
        let now = Moment::new(1_999_101_234.0);
        let ids: Vec<String> = (0..0x101).map(|_| generator.make_id(now)).collect();
        assert!(ids[0xff].ends_with("_ff"));
        assert!(ids[0x100].ends_with("_0100"));
    }

    #[test]
    fn a_new_minute_restarts_the_sequence() {
        let generator = IdGenerator::new();
        let first = generator.make_id(Moment::new(1_715_998_877.0));
        assert!(
            generator
                .make_id(Moment::new(1_715_998_877.0))
                .ends_with("_01")
        );
        let next = generator.make_id(Moment::new(1_715_998_937.0));
        assert!(next.ends_with("_00"));
        assert_ne!(first, next);
    }

    #[test]
    fn the_process_wide_generator_makes_well_formed_ids() {
        assert!(is_id(&new_id()));
    }
}
