/**
 * The domain functions the API calls, gathered in one place: config loading (src/config/load.ts), tool status
 * (src/status) and planning (src/plan/plan-builder.ts). Routes import from here only, so the seam between the
 * HTTP layer and the core stays one file wide.
 */
export { loadConfig, loadConfigObject, toV1beta2 } from '../config/load.js';
export { readQuick } from '../config/parse-quick.js';
export { upgradeDocument } from '../config/upgrade.js';
export { observeTool } from '../status/observe.js';
export { describeToolStatus } from '../status/tool-status.js';
export { planDeployment } from '../plan/plan-builder.js';
