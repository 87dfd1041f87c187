// web/assets.h: the stylesheet and scripts every bonafide page uses, embedded in the binary.
//
// web/build.mjs compiles them at build time (the GOV.UK Design System from npm govuk-frontend with
// Arial in place of GDS Transport, govuk-frontend's JavaScript, web/app.js) into a generated source
// file, so a service serves its pages without any file next to it. Paths:
//   /assets/bonafide.css            the stylesheet
//   /assets/govuk-frontend.min.js   govuk-frontend's ES module
//   /assets/app.js                  bonafide's progressive enhancement (an ES module)
//   /assets/favicon.svg             bonafide's icon (not the crown)
//
// Thread safety: immutable data; ServeAssets registers routes before the server starts.
#ifndef BONAFIDE_WEB_ASSETS_H_
#define BONAFIDE_WEB_ASSETS_H_

#include <cstddef>
#include <string_view>

#include "base/status.h"
#include "http/server.h"

namespace bonafide::web {

// Asset is one embedded file.
struct Asset {
  std::string_view path;          // "/assets/bonafide.css"
  std::string_view content_type;  // "text/css; charset=utf-8"
  std::string_view etag;          // a strong entity tag (quoted), from the content's SHA-256
  std::string_view body;
};

// FindAsset returns the asset served at `path`, or kNotFound.
Result<Asset> FindAsset(std::string_view path);

// AssetCount returns how many assets are embedded.
size_t AssetCount();

// ServeAssets registers GET /assets/{name} on `server`: 200 with the asset, its ETag and
// Cache-Control "public, max-age=3600"; 304 without a body when If-None-Match names its ETag;
// 404 for an unknown name. Errors: those of Server::Get.
Status ServeAssets(http::Server& server);

namespace internal {
// EmbeddedAsset is the generated table's row (web/build.mjs writes the table).
struct EmbeddedAsset {
  const char* path;
  const char* content_type;
  const char* etag;
  const unsigned char* data;
  unsigned long size;
};
extern const EmbeddedAsset kEmbeddedAssets[];
extern const unsigned long kEmbeddedAssetCount;
}  // namespace internal

}  // namespace bonafide::web

#endif  // BONAFIDE_WEB_ASSETS_H_
