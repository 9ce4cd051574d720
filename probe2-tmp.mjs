import pkg from "node-sql-parser";
const p = new pkg.Parser();
try { p.astify(process.argv[2], { database: "snowflake" }); console.log("OK"); } catch (e) { const m = String(e.message); console.log(m.slice(0, 3000)); }
