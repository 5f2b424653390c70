/**
 * The pages whose forms must work before (or without) JavaScript: the dashboard's own layout, but outside
 * the dashboard's loading boundary. A page under (dashboard)/loading.tsx that awaits anything on the server
 * is streamed behind that fallback, and only a script swaps the content in; without one, "Loading the
 * page…" would stay. Here the server sends the page whole, so its form can be posted at once.
 */
export { default } from "../(dashboard)/layout";

export const dynamic = "force-dynamic";
