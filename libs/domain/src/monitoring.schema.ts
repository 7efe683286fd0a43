import { z } from 'zod';
import { CauseCategory } from './monitoring';

// Actuals and cause analyses as they arrive at the edge (API, CSV import, task decisions).

const kpiIdText = z.string().trim().min(1, 'must not be empty').max(63);

/** `PUT /cycles/:id/periods/:period/actuals`: one owner's values (an admin may send any KPI's). */
export const submitActualsSchema = z.strictObject({
  values: z
    .array(
      z.strictObject({
        kpiId: kpiIdText,
        value: z.number({ error: 'must be a number' }).finite('must be a finite number'),
        /** When given, must be the KPI's unit of measure. */
        unit: z.string().trim().max(40).optional(),
      }),
    )
    .min(1, 'must send at least one value')
    .max(1000),
});
export type SubmitActualsRequest = z.infer<typeof submitActualsSchema>;

export const correctiveActionSchema = z
  .strictObject({
    what: z.string().trim().min(1, 'must not be empty').max(2000),
    ownerUnitId: z.uuid('must be a UUID'),
    dueAt: z.iso.datetime({ offset: true }),
    kpiId: kpiIdText.optional(),
    initiativeId: kpiIdText.optional(),
  })
  .refine((a) => a.kpiId || a.initiativeId, { message: 'must link a KPI or an initiative', path: ['kpiId'] });
export type CorrectiveAction = z.infer<typeof correctiveActionSchema>;

/** Payload of a cause analysis: what caused the deviation, and what will be done about it. */
export const causeAnalysisSchema = z.strictObject({
  category: z.enum(Object.values(CauseCategory) as [CauseCategory, ...CauseCategory[]]),
  narrative: z.string().trim().min(1, 'must not be empty').max(10_000),
  actions: z.array(correctiveActionSchema).max(20).default([]),
});
export type CauseAnalysis = z.infer<typeof causeAnalysisSchema>;
