// SPDX-License-Identifier: MIT
#include "vulkan/compute_pipeline.h"

namespace ds::vk {

bool create_compute_pipeline(const Dispatch &vk, VkDevice device, const uint32_t *code, size_t code_bytes,
                             VkDescriptorSetLayout set_layout, uint32_t push_bytes, const char *what,
                             VkPipelineLayout *layout, VkPipeline *pipeline, std::string *error) {
    VkShaderModuleCreateInfo module_info{VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO};
    module_info.codeSize = code_bytes;
    module_info.pCode = code;
    VkShaderModule module = VK_NULL_HANDLE;
    VkResult r = vk.vkCreateShaderModule(device, &module_info, nullptr, &module);
    if (r != VK_SUCCESS) {
        *error = std::string("vkCreateShaderModule (") + what + ") failed: " + result_name(r);
        return false;
    }
    VkPushConstantRange push{VK_SHADER_STAGE_COMPUTE_BIT, 0, push_bytes};
    VkPipelineLayoutCreateInfo layout_info{VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO};
    layout_info.setLayoutCount = set_layout != VK_NULL_HANDLE ? 1 : 0;
    layout_info.pSetLayouts = set_layout != VK_NULL_HANDLE ? &set_layout : nullptr;
    layout_info.pushConstantRangeCount = 1;
    layout_info.pPushConstantRanges = &push;
    r = vk.vkCreatePipelineLayout(device, &layout_info, nullptr, layout);
    if (r == VK_SUCCESS) {
        VkComputePipelineCreateInfo pipe_info{VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO};
        pipe_info.stage.sType = VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO;
        pipe_info.stage.stage = VK_SHADER_STAGE_COMPUTE_BIT;
        pipe_info.stage.module = module;
        pipe_info.stage.pName = "main";
        pipe_info.layout = *layout;
        r = vk.vkCreateComputePipelines(device, VK_NULL_HANDLE, 1, &pipe_info, nullptr, pipeline);
    }
    vk.vkDestroyShaderModule(device, module, nullptr);  // the pipeline keeps what it needs
    if (r != VK_SUCCESS) {
        *error = std::string("creating the ") + what + " compute pipeline failed: " + result_name(r);
        return false;
    }
    return true;
}

}  // namespace ds::vk
