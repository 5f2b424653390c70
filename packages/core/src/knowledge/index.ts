/** Knowledge bases and retrieval: parsers, chunker, embedders, the vector paths, search and ingestion. */
export * from "./chunker";
export * from "./embedders";
export * from "./ingestion";
export * from "./knowledge";
export * from "./parsers";
export * from "./rerank";
export * from "./retrieval";
export * from "./search";
export * from "./vector-index";
export * from "./vector-path";
