import { z } from 'zod';

// Field shapes the plan's schemas share (plan.schema.ts, controls.schema.ts), apart so that
// neither has to import the other: plan.schema.ts takes its new sections from controls.schema.ts.

/** An id of an item of the plan (goal, initiative, milestone, KPI), chosen by people and kept across versions. */
export const itemId = z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'must be lowercase letters, digits and dashes');
export const text = (max: number) => z.string().trim().min(1, 'must not be empty').max(max);
export const year = z.number().int().min(2000).max(2200);
export const amount = z.number().finite().min(0, 'must not be negative');
/** A calendar month, as calendar.ts writes it. */
export const period = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'must be a month, YYYY-MM');
