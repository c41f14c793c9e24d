# GPU host: exports torchvision's ResNet-50 to ONNX for the TensorRT ONNX-parser anchor.
#   python3 export_anchor.py OUT.onnx              random init, as ../shared/gpu/anchors/torch_anchor.py
#   python3 export_anchor.py OUT.onnx --trained    batch-norm statistics and affine parameters drawn at random too
#   python3 export_anchor.py OUT.onnx --weights D  trtfleet's seeded ResNet-50 itself: the weights that
#       io.trtfleet.gpu.ResNet50Weights wrote to D, TensorFlow's batch-norm epsilon (1e-3) and its SAME
#       padding of the strided 3x3 convolutions (one row and column after, none before), so both engines
#       compute the same function from the same weights; checked against TensorFlow's logits in D.
# With torchvision's random init every batch norm is the identity, so every folded convolution bias is
# all zeros, and TensorRT 10.6 ends up passing 47 of the 53 biases as tensors (HasDynamicBias in its
# layer list). --trained gives every convolution a non-zero bias of its own, as a trained model (and
# trtfleet's seeded ResNet-50) has; TensorRT then keeps them all as weights. Same speed either way
# (docs/benchmarks/gpu.md, 2026-11-29 second session).
import sys, copy, json, collections, torch, torchvision
import numpy as np
out, trained = sys.argv[1], "--trained" in sys.argv
weights = sys.argv[sys.argv.index("--weights") + 1] if "--weights" in sys.argv else None
torch.manual_seed(0)
m = torchvision.models.resnet50(weights=None).eval()
if trained:
    with torch.no_grad():
        for bn in (x for x in m.modules() if isinstance(x, torch.nn.BatchNorm2d)):
            bn.weight.uniform_(0.5, 1.5); bn.bias.normal_(0, 0.1)
            bn.running_mean.normal_(0, 0.1); bn.running_var.uniform_(0.5, 1.5)


class SamePad(torch.nn.Module):
    """TensorFlow's SAME padding of a 3x3 stride-2 convolution on an even size: (0, 1) per spatial axis."""
    def __init__(self, conv):
        super().__init__()
        self.conv = conv

    def forward(self, x):
        return torch.nn.functional.conv2d(torch.nn.functional.pad(x, (0, 1, 0, 1)), self.conv.weight, None, 2)


def load_tf(m, d):
    index = json.load(open(f"{d}/weights.json"))
    raw = np.fromfile(f"{d}/weights.bin", dtype="<f4")
    get = lambda n: torch.from_numpy(raw[index[n]["offset"]:][:int(np.prod(index[n]["shape"]))]
                                     .reshape(index[n]["shape"]).copy())
    sd, used = {}, set()
    def conv(tf, pt):
        sd[pt + ".weight"] = get(tf + "/kernel").permute(3, 2, 0, 1); used.add(tf + "/kernel")
    def bn(tf, pt):
        for t, p in (("gamma", "weight"), ("beta", "bias"), ("moving_mean", "running_mean"), ("moving_variance", "running_var")):
            sd[f"{pt}.{p}"] = get(f"{tf}/{t}"); used.add(f"{tf}/{t}")
    conv("conv1", "conv1"); bn("conv1_bn", "bn1")
    for s, blocks in enumerate((m.layer1, m.layer2, m.layer3, m.layer4)):
        for b in range(len(blocks)):
            tf, pt = f"stage{s + 2}_block{b + 1}", f"layer{s + 1}.{b}"
            for i in (1, 2, 3):
                conv(f"{tf}_{i}_conv", f"{pt}.conv{i}"); bn(f"{tf}_{i}_bn", f"{pt}.bn{i}")
            if b == 0:
                conv(f"{tf}_0_conv", f"{pt}.downsample.0"); bn(f"{tf}_0_bn", f"{pt}.downsample.1")
    sd["fc.weight"] = get("fc1000/kernel").t(); sd["fc.bias"] = get("fc1000/bias")
    used |= {"fc1000/kernel", "fc1000/bias"}
    missing = set(index) - used
    assert not missing, f"{d}: weights not mapped: {sorted(missing)[:5]}"
    own = {k: v for k, v in m.state_dict().items() if not k.endswith("num_batches_tracked")}
    assert set(own) == set(sd), f"torchvision parameters not set: {sorted(set(own) - set(sd))[:5]}"
    for k, v in sd.items():
        assert own[k].shape == v.shape, f"{k}: torchvision {tuple(own[k].shape)}, TensorFlow {tuple(v.shape)}"
    m.load_state_dict(sd, strict=False)
    for x in m.modules():
        if isinstance(x, torch.nn.BatchNorm2d):
            x.eps = 1e-3
    check = copy.deepcopy(m)
    for layer in (check.layer2, check.layer3, check.layer4):
        layer[0].conv2 = SamePad(layer[0].conv2)
    x = np.fromfile(f"{d}/input.bin", dtype="<f4").reshape(2, 224, 224, 3).transpose(0, 3, 1, 2).copy()
    ref = np.fromfile(f"{d}/logits.bin", dtype="<f4").reshape(2, 1000)
    with torch.no_grad():
        compare("PyTorch", check(torch.from_numpy(x)).numpy(), ref)
    return x, ref


def compare(what, y, ref):
    rel = float(np.sqrt(((y - ref) ** 2).sum() / (ref ** 2).sum()))
    print(f"{what} logits vs TensorFlow's: rel RMS {rel:.2e}, top-1 {int((y.argmax(1) == ref.argmax(1)).sum())}/2", flush=True)
    assert rel < 1e-3, f"{what} does not compute TensorFlow's function (rel RMS {rel})"


def tf_padding(path):
    """The strided 3x3 convolutions pad as TensorFlow's SAME does: in the Conv node, as trtfleet writes it."""
    model = onnx.load(path)
    attr = lambda n, k: next((list(a.ints) for a in n.attribute if a.name == k), None)
    strided = [n for n in model.graph.node if n.op_type == "Conv"
               and attr(n, "kernel_shape") == [3, 3] and attr(n, "strides") == [2, 2]]
    assert len(strided) == 3, f"expected 3 strided 3x3 convolutions, found {len(strided)}"
    for n in strided:
        pads = next(a for a in n.attribute if a.name == "pads")
        pads.ClearField("ints"); pads.ints.extend([0, 0, 1, 1])
    onnx.save(model, path)


check = load_tf(m, weights) if weights else None
torch.onnx.export(m, torch.randn(1, 3, 224, 224), out, input_names=["input"], output_names=["logits"],
                  dynamic_axes={"input": {0: "b"}, "logits": {0: "b"}}, opset_version=17, dynamo=False)
if weights:
    import onnx
    tf_padding(out)
    try:
        import onnxruntime
    except ImportError:
        print("no onnxruntime here to run the exported ONNX", flush=True)
    else:
        x, ref = check
        sess = onnxruntime.InferenceSession(out, providers=["CPUExecutionProvider"])
        compare("ONNX Runtime on " + out, sess.run(None, {"input": x})[0], ref)
try:
    import onnx
except ImportError:
    print(f"exported {out} (no onnx module here to count bias initializers)", flush=True)
else:
    g = onnx.load(out).graph
    uses = collections.Counter(n.input[2] for n in g.node if n.op_type == "Conv" and len(n.input) > 2)
    ops = collections.Counter(n.op_type for n in g.node)
    print(f"exported {out}: {sum(uses.values())} convolutions with a bias, {len(uses)} distinct bias "
          f"initializers; ops {dict(ops)}", flush=True)
