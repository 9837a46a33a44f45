#pragma once
// The OAuth redirect target (`callback.listen`, path of `callback.public_url`):
// receives `auth_code` (advertiser) or `code` (account) with `state`, or
// `error`, completes the link, and answers the browser with a short page.
#include "core/http/server.hpp"
#include "core/links/link_service.hpp"

namespace ttlink::links {

http::Handler make_callback_handler(LinkService& service, Logger& log);

}  // namespace ttlink::links
