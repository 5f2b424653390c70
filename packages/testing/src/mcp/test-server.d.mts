import type { Server } from "@modelcontextprotocol/sdk/server/index.js";
import type { Tool } from "@modelcontextprotocol/sdk/types.js";

export declare const testTools: Tool[];
export declare function createTestMcpServer(): Server;
