// ttlinkctl
#include <cstdio>
int main() {
  std::puts("ttlinkctl: not yet wired");
  return 0;
}
