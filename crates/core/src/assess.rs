//! The express self-assessment's scoring (issue 28 item 3): several people answer a checklist's
//! yes/no questions; each area is scored per respondent (the share of its questions answered
//! "yes"), then over respondents (the mean), with the spread between respondents — disagreement
//! is a finding — and, per question, who said yes and who said no.
//!
//! What to call: [`score_areas`] with each question's area and every respondent's answers.

/// One area's score over the respondents.
#[derive(Clone, Debug, PartialEq)]
pub struct AreaScore {
    pub area: usize,
    /// Respondents who answered at least one of its questions.
    pub respondents: u32,
    /// The mean over those respondents of their share of "yes" among the area's questions they
    /// answered, 0..1; `None` when nobody answered.
    pub score: Option<f64>,
    /// The lowest and highest respondent's share, and their difference (the spread).
    pub lowest: Option<f64>,
    pub highest: Option<f64>,
    pub spread: Option<f64>,
}

/// One question's answers.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct QuestionTally {
    pub yes: u32,
    pub no: u32,
}

impl QuestionTally {
    /// Some said yes and some no.
    pub fn disputed(self) -> bool {
        self.yes > 0 && self.no > 0
    }
}

/// Scores every area. `area_of[q]` is question q's area (`< areas`); each response holds one
/// entry per question (`None`: not answered), extra entries are ignored.
pub fn score_areas(
    area_of: &[usize],
    areas: usize,
    responses: &[Vec<Option<bool>>],
) -> (Vec<AreaScore>, Vec<QuestionTally>) {
    let mut tallies = vec![QuestionTally::default(); area_of.len()];
    let mut shares: Vec<Vec<f64>> = vec![Vec::new(); areas];
    for response in responses {
        let mut yes = vec![0u32; areas];
        let mut answered = vec![0u32; areas];
        for (q, &area) in area_of.iter().enumerate() {
            let Some(Some(a)) = response.get(q) else {
                continue;
            };
            if area >= areas {
                continue;
            }
            answered[area] += 1;
            if *a {
                yes[area] += 1;
                tallies[q].yes += 1;
            } else {
                tallies[q].no += 1;
            }
        }
        for area in 0..areas {
            if answered[area] > 0 {
                shares[area].push(f64::from(yes[area]) / f64::from(answered[area]));
            }
        }
    }
    let scores = shares
        .iter()
        .enumerate()
        .map(|(area, s)| {
            let n = s.len();
            let lowest = s.iter().copied().reduce(f64::min);
            let highest = s.iter().copied().reduce(f64::max);
            AreaScore {
                area,
                respondents: n as u32,
                score: (n > 0).then(|| s.iter().sum::<f64>() / n as f64),
                lowest,
                highest,
                spread: lowest.zip(highest).map(|(lo, hi)| hi - lo),
            }
        })
        .collect();
    (scores, tallies)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn areas_are_scored_per_respondent_then_averaged_with_the_spread() {
        // Two areas: questions 0, 1, 2 in area 0; question 3 in area 1.
        let area_of = [0, 0, 0, 1];
        let responses = vec![
            // 3 of 3 yes in area 0; no in area 1.
            vec![Some(true), Some(true), Some(true), Some(false)],
            // 1 of 2 answered yes in area 0 (question 2 skipped); area 1 skipped.
            vec![Some(true), Some(false), None, None],
        ];
        let (scores, tallies) = score_areas(&area_of, 2, &responses);
        // Area 0: shares 1 and 0.5 → mean 0.75, spread 0.5.
        assert_eq!(scores[0].respondents, 2);
        assert!((scores[0].score.unwrap() - 0.75).abs() < 1e-12);
        assert_eq!(scores[0].lowest, Some(0.5));
        assert_eq!(scores[0].spread, Some(0.5));
        // Area 1: one respondent, "no" → 0, no spread.
        assert_eq!((scores[1].respondents, scores[1].score), (1, Some(0.0)));
        assert_eq!(scores[1].spread, Some(0.0));
        assert_eq!(tallies[1], QuestionTally { yes: 1, no: 1 });
        assert!(tallies[1].disputed());
        assert!(!tallies[0].disputed());
        assert_eq!(tallies[2], QuestionTally { yes: 1, no: 0 });
    }

    #[test]
    fn nobody_answering_gives_no_score_not_zero() {
        let (scores, tallies) = score_areas(&[0, 1], 2, &[vec![None, Some(true)]]);
        assert_eq!(scores[0].score, None);
        assert_eq!(scores[0].spread, None);
        assert_eq!(scores[1].score, Some(1.0));
        assert_eq!(tallies[0], QuestionTally::default());
        let (scores, _) = score_areas(&[0], 1, &[]);
        assert_eq!((scores[0].respondents, scores[0].score), (0, None));
    }
}
