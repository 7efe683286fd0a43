// Imported first by the cluster tier: the e2e journeys it runs start their systems on the cluster
// profile's Temporal frontend instead of the dev server (startTestSystem reads this variable).
const address = process.env.ROLLPLAN_TEST_CLUSTER_TEMPORAL_ADDRESS;
if (!address) throw new Error('the cluster profile is not running: run the cluster tier through `npm test` (jest --selectProjects cluster)');
process.env.ROLLPLAN_TEST_TEMPORAL_ADDRESS = address;

export {};
