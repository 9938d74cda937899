// MiniSearch's radix tree is a published entry point ("minisearch/SearchableMap"), but this project's "node" module
// resolution does not read package exports: the types are taken from the file that declares them.
declare module "minisearch/SearchableMap" {
  import SearchableMap from "minisearch/dist/es/SearchableMap";
  export default SearchableMap;
}
