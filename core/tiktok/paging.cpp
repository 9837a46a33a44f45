#include "core/tiktok/paging.hpp"

#include "core/tiktok/fields.hpp"

namespace ttlink::tiktok {
namespace json = boost::json;
using boost::asio::awaitable;

Result<PageOfList> decode_list_page(const json::object& data, std::string_view list_key,
                                    std::string_view path) {
  auto list = array_field(data, list_key, path);
  if (!list) return list.error();
  PageOfList page{**list, 1};
  if (auto* info = data.if_contains("page_info"); info && info->is_object())
    page.total_page = int_or(info->get_object(), "total_page", 1);
  return page;
}

awaitable<Result<json::array>> get_all_pages(ApiClient& api, std::string_view path,
                                             QueryParams query, std::string_view list_key,
                                             const Secret* access_token, int page_size) {
  json::array all;
  for (int page = 1; page <= kMaxPages; ++page) {
    QueryParams q = query;
    q.emplace_back("page", std::to_string(page));
    q.emplace_back("page_size", std::to_string(page_size));
    auto data = co_await api.get(path, std::move(q), access_token);
    if (!data) co_return data.error();
    auto decoded = decode_list_page(*data, list_key, path);
    if (!decoded) co_return decoded.error();
    const bool empty = decoded->items.empty();
    for (auto& item : decoded->items) all.push_back(std::move(item));
    if (page >= decoded->total_page || empty) co_return all;
  }
  co_return Error::transient("more than " + std::to_string(kMaxPages) + " pages from " +
                             std::string(path));
}

}  // namespace ttlink::tiktok
