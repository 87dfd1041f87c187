#include "web/assets.h"

#include <string>

namespace bonafide::web {

namespace {

Asset ToAsset(const internal::EmbeddedAsset& row) {
  return Asset{
      .path = row.path,
      .content_type = row.content_type,
      .etag = row.etag,
      .body = std::string_view(reinterpret_cast<const char*>(row.data), row.size),
  };
}

}  // namespace

Result<Asset> FindAsset(std::string_view path) {
  for (unsigned long i = 0; i < internal::kEmbeddedAssetCount; ++i) {
    if (path == internal::kEmbeddedAssets[i].path) return ToAsset(internal::kEmbeddedAssets[i]);
  }
  return Status(StatusCode::kNotFound, "no such asset");
}

size_t AssetCount() { return internal::kEmbeddedAssetCount; }

Status ServeAssets(http::Server& server) {
  return server.Get("/assets/{name}", [](const http::Request& request) {
    auto asset = FindAsset(request.path);
    if (!asset.ok()) return http::Response::Text(404, "Not found\n");
    http::Response response;
    response.headers.emplace_back("ETag", std::string(asset->etag));
    response.headers.emplace_back("Cache-Control", "public, max-age=3600");
    if (auto match = request.Header("If-None-Match"); match && *match == asset->etag) {
      response.status = 304;
      response.content_type.clear();
      return response;
    }
    response.content_type = std::string(asset->content_type);
    response.body = std::string(asset->body);
    return response;
  });
}

}  // namespace bonafide::web
