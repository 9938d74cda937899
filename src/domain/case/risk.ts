import { z } from "zod";
import { titleOf } from "./choice";

// The NHS 5x5 risk matrix (NPSA): score = consequence x likelihood, each rated 1 to 5.

export type RiskRating = 1 | 2 | 3 | 4 | 5;
const RISK_RATINGS: ReadonlySet<unknown> = new Set([1, 2, 3, 4, 5]);
/** A set check, not a union of literals: a union builds an error for each literal it tries before the match. */
export const RiskRatingSchema = z.custom<RiskRating>((value) => RISK_RATINGS.has(value), "Expected a rating from 1 to 5");

export const RISK_CONSEQUENCES = [
  { id: 1, title: "Negligible" },
  { id: 2, title: "Minor" },
  { id: 3, title: "Moderate" },
  { id: 4, title: "Major" },
  { id: 5, title: "Catastrophic" },
] as const;

export const RISK_LIKELIHOODS = [
  { id: 1, title: "Rare" },
  { id: 2, title: "Unlikely" },
  { id: 3, title: "Possible" },
  { id: 4, title: "Likely" },
  { id: 5, title: "Almost certain" },
] as const;

export type RiskBand = "low" | "moderate" | "high" | "extreme";

export const RISK_BANDS = [
  { id: "low", title: "Low" },
  { id: "moderate", title: "Moderate" },
  { id: "high", title: "High" },
  { id: "extreme", title: "Extreme" },
] as const;

/** Managers are alerted at this score and above. */
export const HIGH_RISK_SCORE = 15;

export const consequenceTitle = (rating: RiskRating): string => titleOf(RISK_CONSEQUENCES, rating);
export const likelihoodTitle = (rating: RiskRating): string => titleOf(RISK_LIKELIHOODS, rating);
export const riskBandTitle = (band: RiskBand): string => titleOf(RISK_BANDS, band);

export function isRiskRating(value: unknown): value is RiskRating {
  return typeof value === "number" && Number.isInteger(value) && value >= 1 && value <= 5;
}

export function riskScore(consequence: RiskRating, likelihood: RiskRating): number {
  if (!isRiskRating(consequence) || !isRiskRating(likelihood)) {
    throw new Error(`Risk ratings must be whole numbers from 1 to 5, got consequence ${consequence} and likelihood ${likelihood}`);
  }
  return consequence * likelihood;
}

/** 1-3 low, 4-6 moderate, 8-12 high, 15-25 extreme. Scores no pair of ratings can make (7, 13...) are refused. */
export function riskBand(score: number): RiskBand {
  const possible = Number.isInteger(score) && [1, 2, 3, 4, 5].some((c) => score % c === 0 && score / c >= 1 && score / c <= 5);
  if (!possible) throw new Error(`${score} is not a score on the 5x5 risk matrix`);
  if (score <= 3) return "low";
  if (score <= 6) return "moderate";
  if (score <= 12) return "high";
  return "extreme";
}

export function isHighRisk(score: number): boolean {
  return score >= HIGH_RISK_SCORE;
}

export interface RiskAssessment {
  consequence: RiskRating;
  likelihood: RiskRating;
  score: number;
}

export function assessRisk(consequence: RiskRating, likelihood: RiskRating): RiskAssessment {
  return { consequence, likelihood, score: riskScore(consequence, likelihood) };
}

/** What cards, reports and exports say when nobody has assessed the risk yet. */
export const RISK_NOT_ASSESSED = "Not assessed";

/** "16 (Extreme)", or "Not assessed" when there is no assessment. */
export function riskText(risk: { readonly score: number } | undefined): string {
  return risk ? `${risk.score} (${riskBandTitle(riskBand(risk.score))})` : RISK_NOT_ASSESSED;
}
