// Preloaded by the benchmark (node -r): records this process's peak resident memory at exit.
"use strict";
const file = process.env.BENCH_RSS_FILE;
if (file) process.on("exit", () => require("fs").writeFileSync(file, String(process.resourceUsage().maxRSS)));
