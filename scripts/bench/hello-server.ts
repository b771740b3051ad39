/** The ceiling for bench:api: a bare Fastify hello-world route, in its own process like the API. */
import Fastify from "fastify";

const app = Fastify({ logger: false });
app.get("/", async () => ({ hello: "world" }));
await app.listen({ host: "127.0.0.1", port: Number(process.env.PORT) });
process.send?.("ready");
