// SPDX-License-Identifier: MIT
// ASan build only (linked into every test program there): keeps the Vulkan drivers (ICDs) loaded
// until the process exits. The Vulkan loader unloads a driver at vkDestroyInstance, and a leak
// report made at exit cannot name the frames of an unloaded library; with the driver pinned the
// frames of a driver's own one-time allocations are named, so scripts/lib/lsan.supp can suppress
// exactly those (by the driver's library) and nothing of ds-runtime.
// The drivers are the ones the loader would use: VK_DRIVER_FILES / VK_ICD_FILENAMES, else the
// manifests in the standard directories.
#include <dirent.h>
#include <dlfcn.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace {

std::vector<std::string> manifests() {
    std::vector<std::string> out;
    const char *list = std::getenv("VK_DRIVER_FILES");
    if (!list || !*list)
        list = std::getenv("VK_ICD_FILENAMES");
    if (list && *list) {
        std::stringstream in(list);
        for (std::string item; std::getline(in, item, ':');)
            if (!item.empty())
                out.push_back(item);
        return out;
    }
    for (const char *dir : {"/usr/share/vulkan/icd.d", "/etc/vulkan/icd.d", "/usr/local/share/vulkan/icd.d"}) {
        DIR *d = opendir(dir);
        if (!d)
            continue;
        while (dirent *e = readdir(d)) {
            std::string name = e->d_name;
            if (name.size() > 5 && name.compare(name.size() - 5, 5, ".json") == 0)
                out.push_back(std::string(dir) + "/" + name);
        }
        closedir(d);
    }
    return out;
}

// The "library_path" string of an ICD manifest, or "" (no JSON parser needed for this one key).
std::string library_path(const std::string &manifest) {
    std::ifstream f(manifest);
    std::stringstream all;
    all << f.rdbuf();
    std::string text = all.str();
    size_t key = text.find("\"library_path\"");
    if (key == std::string::npos)
        return "";
    size_t open = text.find('"', text.find(':', key) + 1);
    size_t close = open == std::string::npos ? open : text.find('"', open + 1);
    return close == std::string::npos ? "" : text.substr(open + 1, close - open - 1);
}

struct PinVulkanDrivers {
    PinVulkanDrivers() {
        for (const std::string &m : manifests()) {
            std::string lib = library_path(m);
            if (!lib.empty())
                dlopen(lib.c_str(),
                       RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);  // a driver that fails to load is the loader's business
        }
    }
} pin_vulkan_drivers;

}  // namespace
