//! Reward math: the k-th activation (k from 0) of a code gets
//! `max(minimum, initial - k * step)`. The database computes the same formula
//! inside the claiming statement; this type is its specification and the
//! admin form's preview.

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RewardSchedule {
    pub initial: i64,
    pub minimum: i64,
    pub step: i64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RewardScheduleError {
    #[error("the initial reward must be positive")]
    InitialNotPositive,
    #[error("the minimum reward must be positive")]
    MinimumNotPositive,
    #[error("the minimum reward is above the initial reward")]
    MinimumAboveInitial,
    #[error("the decrease step is negative or larger than the initial reward")]
    StepOutOfRange,
}

impl RewardSchedule {
    pub fn new(initial: i64, minimum: i64, step: i64) -> Result<Self, RewardScheduleError> {
        if initial <= 0 {
            return Err(RewardScheduleError::InitialNotPositive);
        }
        if minimum <= 0 {
            return Err(RewardScheduleError::MinimumNotPositive);
        }
        if minimum > initial {
            return Err(RewardScheduleError::MinimumAboveInitial);
        }
        if !(0..=initial).contains(&step) {
            return Err(RewardScheduleError::StepOutOfRange);
        }
        Ok(Self {
            initial,
            minimum,
            step,
        })
    }

    /// A fixed reward: every activation gets `amount`.
    pub fn fixed(amount: i64) -> Result<Self, RewardScheduleError> {
        Self::new(amount, amount, 0)
    }

    /// The reward of the activation with ordinal `k` (0-based); never overflows.
    pub fn reward_at(&self, k: u64) -> i64 {
        let decrease = i128::from(self.step) * i128::from(k);
        let reward = i128::from(self.initial) - decrease;
        reward.max(i128::from(self.minimum)) as i64
    }

    /// Sum of the first `n` rewards.
    pub fn total_for(&self, n: u64) -> i128 {
        (0..n).map(|k| i128::from(self.reward_at(k))).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn decreases_to_the_floor() {
        let s = RewardSchedule::new(100, 30, 25).unwrap();
        let rewards: Vec<i64> = (0..5).map(|k| s.reward_at(k)).collect();
        assert_eq!(rewards, [100, 75, 50, 30, 30]);
        assert_eq!(s.total_for(5), 285);
    }

    #[test]
    fn refuses_insane_bounds() {
        assert_eq!(
            RewardSchedule::new(0, 1, 0),
            Err(RewardScheduleError::InitialNotPositive)
        );
        assert_eq!(
            RewardSchedule::new(10, 0, 0),
            Err(RewardScheduleError::MinimumNotPositive)
        );
        assert_eq!(
            RewardSchedule::new(10, 11, 0),
            Err(RewardScheduleError::MinimumAboveInitial)
        );
        assert_eq!(
            RewardSchedule::new(10, 1, 11),
            Err(RewardScheduleError::StepOutOfRange)
        );
        assert_eq!(
            RewardSchedule::new(10, 1, -1),
            Err(RewardScheduleError::StepOutOfRange)
        );
    }

    proptest! {
        #[test]
        fn reward_stays_within_bounds_and_never_grows(
            initial in 1i64..=i64::MAX, min_frac in 0.0f64..=1.0, step_frac in 0.0f64..=1.0,
            k in any::<u32>(),
        ) {
            let minimum = ((initial as f64) * min_frac).clamp(1.0, initial as f64) as i64;
            let step = ((initial as f64) * step_frac).clamp(0.0, initial as f64) as i64;
            let s = RewardSchedule::new(initial, minimum.min(initial), step.min(initial)).unwrap();
            let (a, b) = (s.reward_at(u64::from(k)), s.reward_at(u64::from(k) + 1));
            prop_assert!(a >= s.minimum && a <= s.initial);
            prop_assert!(b <= a);
            if s.step == 0 { prop_assert_eq!(a, s.initial); }
        }

        #[test]
        fn matches_the_closed_form(initial in 1i64..1_000_000, minimum in 1i64..1_000_000, step in 0i64..1_000_000, k in 0u64..10_000) {
            prop_assume!(minimum <= initial && step <= initial);
            let s = RewardSchedule::new(initial, minimum, step).unwrap();
            prop_assert_eq!(s.reward_at(k), std::cmp::max(minimum, initial - k as i64 * step));
        }
    }
}
