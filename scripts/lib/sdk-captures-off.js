// An experiment for `npm run bench` only, preloaded into one measured plan: it switches off the
// two stack traces @pulumi/pulumi captures and formats per resource (source positions for the
// engine, and every registration promise's trace for its leak detector), to measure what they
// cost. Nothing shipped uses it: it reaches into SDK internals and strips every error's trace.
const { Resource } = require("@pulumi/pulumi/resource");

Resource.callsites = () => [];
Error.stackTraceLimit = 0;
