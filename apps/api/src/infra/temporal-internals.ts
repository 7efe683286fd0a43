/**
 * The only place rollplan reaches into the Temporal SDK's internals (`lib/` paths, not its public
 * API): converting histories to and from the JSON `temporal workflow show --output json` prints,
 * and turning raw visibility rows into WorkflowExecutionInfo. The SDK uses these itself but does
 * not export them; if an SDK upgrade moves them, this file is what changes. The API and the tests
 * (replay fixtures, export checks) import them from here.
 */
export { executionInfoFromRaw } from '@temporalio/client/lib/helpers';
export { historyFromJSON, historyToJSON } from '@temporalio/common/lib/proto-utils';
