#pragma once
// The two authorization URLs a person opens (tiktok-api.md, "Two kinds of
// authorization"), built from the configured pages and the callback URL.
#include <string>

#include "core/config/config.hpp"

namespace ttlink::links {

// advertiser_auth_url?app_id=&state=&redirect_uri=
std::string advertiser_authorization_url(const config::Config& config, const std::string& state);
// account_auth_url?client_key=&scope=&response_type=code&redirect_uri=&state=
std::string account_authorization_url(const config::Config& config, const std::string& state);

// The stable link an alert carries: {callback.public_url}/reauth/TOKEN. It
// starts a fresh authorization whenever it is clicked (see callback_handler).
std::string action_link_url(const config::Config& config, const std::string& token);

}  // namespace ttlink::links
