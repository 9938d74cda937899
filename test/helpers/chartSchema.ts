// Teams' Adaptive Card charts (Chart.*) are not in schema 1.5, so the adaptivecards parser reports them as
// unknown elements (and uses their fallback). This checks them against Microsoft's documented shapes instead
// (learn.microsoft.com, "Charts in Adaptive Cards"): known chart types only, their required and allowed
// properties only (strict: a misspelt property is a problem), and a fallback element for clients without charts.
import { z } from "zod";

const COLORS = [
  "good",
  "warning",
  "attention",
  "neutral",
  "categoricalRed",
  "categoricalPurple",
  "categoricalLavender",
  "categoricalBlue",
  "categoricalLightBlue",
  "categoricalTeal",
  "categoricalGreen",
  "categoricalLime",
  "categoricalMarigold",
  ...Array.from({ length: 8 }, (_, i) => `sequential${i + 1}`),
  "divergingBlue",
  "divergingLightBlue",
  "divergingCyan",
  "divergingTeal",
  "divergingYellow",
  "divergingPeach",
  "divergingLightRed",
  "divergingRed",
  "divergingMaroon",
  "divergingGray",
] as const;
const color = z.enum(COLORS as unknown as [string, ...string[]]);

/** Properties every element may have, and the ones charts share. */
const common = {
  id: z.string().optional(),
  spacing: z.enum(["None", "ExtraSmall", "Small", "Default", "Medium", "Large", "ExtraLarge", "Padding"]).optional(),
  separator: z.boolean().optional(),
  height: z.enum(["auto", "stretch"]).optional(),
  horizontalAlignment: z.enum(["Left", "Center", "Right"]).optional(),
  isVisible: z.boolean().optional(),
  lang: z.string().optional(),
  requires: z.record(z.string()).optional(),
  targetWidth: z.string().optional(),
  "grid.area": z.string().optional(),
  // Required by our rule, not Microsoft's: every chart degrades to an element other clients can show.
  fallback: z.object({ type: z.string() }).passthrough(),
  title: z.string().optional(),
  colorSet: z.string().optional(),
};
const axes = { xAxisTitle: z.string().optional(), yAxisTitle: z.string().optional() };
const point = z.object({ x: z.union([z.string(), z.number()]), y: z.number(), color: color.optional() }).strict();
const slice = z.object({ legend: z.string().optional(), value: z.number(), color: color.optional() }).strict();
const series = z.object({ legend: z.string(), values: z.array(point), color: color.optional() }).strict();

export const CHART_SCHEMAS: Readonly<Record<string, z.ZodTypeAny>> = {
  "Chart.Donut": z.object({ type: z.literal("Chart.Donut"), ...common, data: z.array(slice).min(1) }).strict(),
  "Chart.Pie": z.object({ type: z.literal("Chart.Pie"), ...common, data: z.array(slice).min(1) }).strict(),
  "Chart.VerticalBar": z
    .object({
      type: z.literal("Chart.VerticalBar"),
      ...common,
      ...axes,
      color: color.optional(),
      showBarValues: z.boolean().optional(),
      data: z.array(point).min(1),
    })
    .strict(),
  "Chart.VerticalBar.Grouped": z
    .object({
      type: z.literal("Chart.VerticalBar.Grouped"),
      ...common,
      ...axes,
      color: color.optional(),
      stacked: z.boolean().optional(),
      showBarValues: z.boolean().optional(),
      data: z.array(series).min(1),
    })
    .strict(),
  "Chart.HorizontalBar": z
    .object({
      type: z.literal("Chart.HorizontalBar"),
      ...common,
      ...axes,
      color: color.optional(),
      displayMode: z.enum(["AbsoluteWithAxis", "AbsoluteNoAxis", "PartToWhole"]).optional(),
      data: z.array(point).min(1),
    })
    .strict(),
  "Chart.HorizontalBar.Stacked": z
    .object({
      type: z.literal("Chart.HorizontalBar.Stacked"),
      ...common,
      ...axes,
      color: color.optional(),
      data: z.array(z.object({ title: z.string(), data: z.array(slice) }).strict()).min(1),
    })
    .strict(),
  "Chart.Line": z.object({ type: z.literal("Chart.Line"), ...common, ...axes, data: z.array(series).min(1) }).strict(),
  "Chart.Gauge": z
    .object({
      type: z.literal("Chart.Gauge"),
      ...common,
      value: z.number(),
      min: z.number().optional(),
      max: z.number().optional(),
      subLabel: z.string().optional(),
      showLegend: z.boolean().optional(),
      showMinMax: z.boolean().optional(),
      valueFormat: z.enum(["Percentage", "Fraction"]).optional(),
      segments: z.array(z.object({ legend: z.string().optional(), size: z.number(), color: color.optional() }).strict()).optional(),
    })
    .strict(),
};

/** Every Chart.* element in a card, with where it is. */
export function chartsIn(card: unknown): { path: string; chart: Record<string, any> }[] {
  const found: { path: string; chart: Record<string, any> }[] = [];
  const visit = (node: unknown, path: string): void => {
    if (Array.isArray(node)) return node.forEach((child, i) => visit(child, `${path}[${i}]`));
    if (!node || typeof node !== "object") return;
    const n = node as Record<string, any>;
    if (typeof n.type === "string" && n.type.startsWith("Chart.")) found.push({ path, chart: n });
    for (const [key, value] of Object.entries(n)) if (value && typeof value === "object") visit(value, `${path}.${key}`);
  };
  visit(card, "card");
  return found;
}

/** What is wrong with the card's charts: unknown chart types, missing or unknown properties, bad data. */
export function chartProblems(card: unknown): string[] {
  return chartsIn(card).flatMap(({ path, chart }) => {
    const schema = CHART_SCHEMAS[chart.type];
    if (!schema) return [`${path}: unknown chart type "${chart.type}"`];
    const parsed = schema.safeParse(chart);
    return parsed.success ? [] : parsed.error.issues.map((issue) => `${path}.${issue.path.join(".")}: ${issue.message}`);
  });
}

/** The adaptivecards parser's note for an element it does not know; a known chart's is expected (its fallback is used). */
export function isKnownChartNote(message: string): boolean {
  const m = /^Unknown element type "([^"]+)"\. Fallback will be used if present\.$/.exec(message);
  return m !== null && m[1] in CHART_SCHEMAS;
}
