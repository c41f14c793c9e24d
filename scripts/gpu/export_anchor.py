# GPU host: exports torchvision's ResNet-50 to ONNX for the TensorRT ONNX-parser anchor.
#   python3 export_anchor.py OUT.onnx            random init, as ../shared/gpu/anchors/torch_anchor.py
#   python3 export_anchor.py OUT.onnx --trained  batch-norm statistics and affine parameters drawn at random too
# With torchvision's random init every batch norm is the identity, so every folded convolution bias is
# all zeros, and TensorRT 10.6 ends up passing 47 of the 53 biases as tensors (HasDynamicBias in its
# layer list). --trained gives every convolution a non-zero bias of its own, as a trained model (and
# trtfleet's seeded ResNet-50) has; TensorRT then keeps them all as weights. Same speed either way
# (docs/benchmarks/gpu.md, 2026-11-29 second session).
import sys, collections, torch, torchvision
out, trained = sys.argv[1], "--trained" in sys.argv
torch.manual_seed(0)
m = torchvision.models.resnet50(weights=None).eval()
if trained:
    with torch.no_grad():
        for bn in (x for x in m.modules() if isinstance(x, torch.nn.BatchNorm2d)):
            bn.weight.uniform_(0.5, 1.5); bn.bias.normal_(0, 0.1)
            bn.running_mean.normal_(0, 0.1); bn.running_var.uniform_(0.5, 1.5)
torch.onnx.export(m, torch.randn(1, 3, 224, 224), out, input_names=["input"], output_names=["logits"],
                  dynamic_axes={"input": {0: "b"}, "logits": {0: "b"}}, opset_version=17, dynamo=False)
try:
    import onnx
except ImportError:
    print(f"exported {out} (no onnx module here to count bias initializers)", flush=True)
else:
    uses = collections.Counter(n.input[2] for n in onnx.load(out).graph.node if n.op_type == "Conv" and len(n.input) > 2)
    print(f"exported {out}: {sum(uses.values())} convolutions with a bias, {len(uses)} distinct bias initializers", flush=True)
