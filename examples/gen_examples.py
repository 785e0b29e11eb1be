#!/usr/bin/env python3
"""Writes the network descriptions in examples/ (they are committed; this
script documents where their layer lists come from and regenerates them).
Run from the repository root: python3 examples/gen_examples.py"""
import json
import struct

def write(path, net):
    # One layer per line: the files stay readable and diff well.
    lines = ['{']
    for key in net:
        if key == 'layers':
            lines.append('  "layers": [')
            body = ['    ' + json.dumps(l) for l in net['layers']]
            lines.append(',\n'.join(body))
            lines.append('  ],')
        else:
            lines.append('  %s: %s,' % (json.dumps(key), json.dumps(net[key])))
    lines[-1] = lines[-1].rstrip(',')
    lines.append('}')
    with open(path, 'w') as f:
        f.write('\n'.join(lines) + '\n')

def conv(name, inp, filters, k, stride=1, pad=0, act='none', **kw):
    l = {'name': name, 'op': 'conv2d', 'input': inp, 'filters': filters, 'kernel': k}
    if stride != 1:
        l['stride'] = stride
    if pad:
        l['pad'] = pad
    if act != 'none':
        l['act'] = act
    l.update(kw)
    return l

def resnet(depth):
    """torchvision's ResNet-18/50 (v1.5: the stride sits in the 3x3 conv);
    batch norm folded into the conv biases."""
    bottleneck = depth == 50
    blocks = {18: [2, 2, 2, 2], 50: [3, 4, 6, 3]}[depth]
    L = [conv('conv1', 'input', 64, 7, 2, 3, 'relu'),
         {'name': 'pool1', 'op': 'maxpool', 'input': 'conv1', 'kernel': 3, 'stride': 2, 'pad': 1}]
    x, ch = 'pool1', 64
    for stage, n in enumerate(blocks):
        width = 64 << stage
        out_ch = width * 4 if bottleneck else width
        for b in range(n):
            p = 'layer%d.%d.' % (stage + 1, b)
            s = 2 if stage > 0 and b == 0 else 1
            if bottleneck:
                L.append(conv(p + 'conv1', x, width, 1, 1, 0, 'relu'))
                L.append(conv(p + 'conv2', p + 'conv1', width, 3, s, 1, 'relu'))
                L.append(conv(p + 'conv3', p + 'conv2', out_ch, 1))
                last = p + 'conv3'
            else:
                L.append(conv(p + 'conv1', x, width, 3, s, 1, 'relu'))
                L.append(conv(p + 'conv2', p + 'conv1', width, 3, 1, 1))
                last = p + 'conv2'
            short = x
            if s != 1 or ch != out_ch:
                L.append(conv(p + 'downsample', x, out_ch, 1, s))
                short = p + 'downsample'
            L.append({'name': p + 'add', 'op': 'add', 'inputs': [last, short], 'act': 'relu'})
            x, ch = p + 'add', out_ch
    L.append({'name': 'avgpool', 'op': 'global_avgpool', 'input': x})
    L.append({'name': 'fc', 'op': 'fc', 'input': 'avgpool', 'units': 1000})
    L.append({'name': 'prob', 'op': 'softmax', 'input': 'fc'})
    return {
        'version': 1, 'name': 'resnet%d' % depth,
        'description': 'ResNet-%d (torchvision layer shapes, batch norm folded into biases) '
                       'at 224x224, seeded int8 weights, TFLite requantization' % depth,
        'seed': depth, 'type': 'int8', 'requant': 'tflite',
        'inputs': [{'name': 'input', 'shape': [1, 224, 224, 3], 'scale': 0.0078125}],
        'layers': L, 'outputs': ['prob']}

def mobilenet_v1():
    """MobileNet-v1 1.0/224 as TensorFlow builds it: 'same' padding (so the
    stride-2 layers pad only bottom/right), ReLU6, uint8 activations and
    weights with ONNX fp32 requantization. The uint8 weights are centred on
    zero point 128, written out: an absent zero point is 0 for every type."""
    w = {'zero_point': 128}
    L = [conv('conv0', 'input', 32, 3, 2, 'same', 'relu6', weights=w)]
    x, ch = 'conv0', 32
    plan = [(1, 64), (2, 128), (1, 128), (2, 256), (1, 256), (2, 512)] + \
           [(1, 512)] * 5 + [(2, 1024), (1, 1024)]
    for i, (s, out) in enumerate(plan, 1):
        L.append(conv('dw%d' % i, x, ch, 3, s, 'same', 'relu6', groups='depthwise',
                      weights=w))
        L.append(conv('pw%d' % i, 'dw%d' % i, out, 1, 1, 0, 'relu6', weights=w))
        x, ch = 'pw%d' % i, out
    L.append({'name': 'avgpool', 'op': 'global_avgpool', 'input': x})
    L.append({'name': 'fc', 'op': 'fc', 'input': 'avgpool', 'units': 1000, 'weights': w})
    L.append({'name': 'prob', 'op': 'softmax', 'input': 'fc'})
    return {
        'version': 1, 'name': 'mobilenet_v1',
        'description': 'MobileNet-v1 1.0 at 224x224: depthwise separable convolutions, '
                       'uint8, ONNX fp32 requantization',
        'seed': 3, 'type': 'uint8', 'requant': 'onnx',
        'inputs': [{'name': 'input', 'shape': [1, 224, 224, 3], 'scale': 0.0078125,
                    'zero_point': 128}],
        'layers': L, 'outputs': ['prob']}

def mobilenet_v2():
    """MobileNet-v2 1.0/224 (Sandler et al. 2018, table 2), torchvision's
    layer shapes: symmetric padding, an inverted residual block is a 1x1
    expansion (t times the input channels; none when t = 1), a 3x3
    depthwise conv carrying the stride, both ReLU6, and a linear 1x1
    projection; a residual add where the stride is 1 and the channel count
    is unchanged. Batch norm folded into the conv biases."""
    L = [conv('conv0', 'input', 32, 3, 2, 1, 'relu6')]
    x, ch = 'conv0', 32
    table = [(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2),
             (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1)]   # t, c, n, s
    b = 0
    for t, c, n, s in table:
        for i in range(n):
            b += 1
            p = 'block%d.' % b
            stride = s if i == 0 else 1
            y = x
            if t != 1:
                L.append(conv(p + 'expand', x, ch * t, 1, 1, 0, 'relu6'))
                y = p + 'expand'
            L.append(conv(p + 'dw', y, ch * t, 3, stride, 1, 'relu6', groups='depthwise'))
            L.append(conv(p + 'project', p + 'dw', c, 1))
            y = p + 'project'
            if stride == 1 and ch == c:
                L.append({'name': p + 'add', 'op': 'add', 'inputs': [y, x]})
                y = p + 'add'
            x, ch = y, c
    L.append(conv('conv_last', x, 1280, 1, 1, 0, 'relu6'))
    L.append({'name': 'avgpool', 'op': 'global_avgpool', 'input': 'conv_last'})
    L.append({'name': 'fc', 'op': 'fc', 'input': 'avgpool', 'units': 1000})
    L.append({'name': 'prob', 'op': 'softmax', 'input': 'fc'})
    return {
        'version': 1, 'name': 'mobilenet_v2',
        'description': 'MobileNet-v2 1.0 at 224x224: inverted residual blocks (expansion 6), '
                       'ReLU6, linear bottlenecks, residual adds; torchvision layer shapes, '
                       'batch norm folded into biases, seeded int8 weights, TFLite requantization',
        'seed': 2, 'type': 'int8', 'requant': 'tflite',
        'inputs': [{'name': 'input', 'shape': [1, 224, 224, 3], 'scale': 0.0078125}],
        'layers': L, 'outputs': ['prob']}

def vgg16(classifier_only=False):
    """VGG-16, configuration D of Simonyan & Zisserman 2014: thirteen 3x3
    convs (pad 1, ReLU) in five stages of 64, 128, 256, 512, 512 channels,
    each closed by a 2x2 max pool, then FC 25088 -> 4096 -> 4096 -> 1000
    (the first FC flattens the 7x7x512 pool output). ONNX requantization.
    classifier_only: the three FC layers alone on a 7x7x512 input, small
    enough for the simulator in `make test` at full size."""
    L = []
    x = 'input'
    stages = [] if classifier_only else [(64, 2), (128, 2), (256, 3), (512, 3), (512, 3)]
    for stage, (width, n) in enumerate(stages, 1):
        for i in range(1, n + 1):
            name = 'conv%d_%d' % (stage, i)
            L.append(conv(name, x, width, 3, 1, 1, 'relu'))
            x = name
        L.append({'name': 'pool%d' % stage, 'op': 'maxpool', 'input': x, 'kernel': 2,
                  'stride': 2})
        x = 'pool%d' % stage
    if classifier_only:
        x = 'pool5'
    L.append({'name': 'fc6', 'op': 'fc', 'input': x, 'units': 4096, 'act': 'relu'})
    L.append({'name': 'fc7', 'op': 'fc', 'input': 'fc6', 'units': 4096, 'act': 'relu'})
    L.append({'name': 'fc8', 'op': 'fc', 'input': 'fc7', 'units': 1000})
    L.append({'name': 'prob', 'op': 'softmax', 'input': 'fc8'})
    if classifier_only:
        return {
            'version': 1, 'name': 'vgg16_classifier',
            'description': "VGG-16's classifier alone: FC 25088-4096-4096-1000 on the "
                           '7x7x512 output of the last pool; seeded int8 weights, '
                           'ONNX fp32 requantization',
            'seed': 16, 'type': 'int8', 'requant': 'onnx',
            'inputs': [{'name': 'pool5', 'shape': [1, 7, 7, 512], 'scale': 0.0078125}],
            'layers': L, 'outputs': ['prob']}
    return {
        'version': 1, 'name': 'vgg16',
        'description': 'VGG-16 (configuration D) at 224x224: 13 3x3 convs with ReLU, '
                       '5 max pools, FC 25088-4096-4096-1000; seeded int8 weights, '
                       'ONNX fp32 requantization',
        'seed': 16, 'type': 'int8', 'requant': 'onnx',
        'inputs': [{'name': 'input', 'shape': [1, 224, 224, 3], 'scale': 0.0078125}],
        'layers': L, 'outputs': ['prob']}

def fc2048():
    """ResNet-50's classifier alone: FC 2048 -> 1000 on a pooled feature
    vector. One image per run; `npu run --batch N` runs N at once."""
    return {
        'version': 1, 'name': 'fc2048',
        'description': "ResNet-50's classifier layer alone: FC 2048 -> 1000, seeded int8 "
                       'weights, TFLite requantization',
        'seed': 48, 'type': 'int8', 'requant': 'tflite',
        'inputs': [{'name': 'features', 'shape': [1, 1, 1, 2048], 'scale': 0.0078125}],
        'layers': [{'name': 'fc', 'op': 'fc', 'input': 'features', 'units': 1000}],
        'outputs': ['fc']}

def lenet5():
    """LeNet-5 on a 32x32 image, described ONNX-style: NCHW shapes, OIHW
    weight layout, fp32 requantization, a float input quantized first."""
    L = [{'name': 'q', 'op': 'quantize', 'input': 'image'},
         conv('c1', 'q', 6, 5, act='relu'),
         {'name': 's2', 'op': 'avgpool', 'input': 'c1', 'kernel': 2, 'stride': 2},
         conv('c3', 's2', 16, 5, act='relu'),
         {'name': 's4', 'op': 'avgpool', 'input': 'c3', 'kernel': 2, 'stride': 2},
         {'name': 'flat', 'op': 'flatten', 'input': 's4'},
         {'name': 'f5', 'op': 'fc', 'input': 'flat', 'units': 120, 'act': 'relu'},
         {'name': 'f6', 'op': 'fc', 'input': 'f5', 'units': 84, 'act': 'relu'},
         {'name': 'f7', 'op': 'fc', 'input': 'f6', 'units': 10},
         {'name': 'prob', 'op': 'softmax', 'input': 'f7'}]
    return {
        'version': 1, 'name': 'lenet5',
        'description': 'LeNet-5 (ReLU, average pooling), NCHW, ONNX requantization',
        'seed': 5, 'layout': 'NCHW', 'type': 'int8', 'requant': 'onnx',
        'inputs': [{'name': 'image', 'shape': [1, 1, 32, 32], 'type': 'float32'}],
        'layers': L, 'outputs': ['prob']}

def fc_identity():
    """One input, one set of weights (seed 7), three ways: an FC layer, the
    1x1 convolution over the flattened input, and the 20x20 convolution
    whose kernel covers the whole input. All three outputs are equal."""
    out = {'type': 'int8', 'scale': 0.05, 'zero_point': 0}
    w = {'seed': 7}
    L = [{'name': 'fc', 'op': 'fc', 'input': 'x', 'units': 16, 'weights': w, 'output': out},
         {'name': 'flat', 'op': 'reshape', 'input': 'x', 'shape': [1, 1, 1, 800]},
         conv('conv1x1', 'flat', 16, 1, weights=w, output=out),
         conv('conv20x20', 'x', 16, 20, weights=w, output=out)]
    return {
        'version': 1, 'name': 'fc_identity',
        'description': 'FC == 1x1 conv over the flattened input == conv whose kernel is the '
                       'whole 20x20 input; the same weights (seed 7), the same numbers',
        'seed': 11,
        'inputs': [{'name': 'x', 'shape': [1, 20, 20, 2], 'scale': 0.02}],
        'layers': L, 'outputs': ['fc', 'conv1x1', 'conv20x20']}

def tiny_raw():
    """A conv whose weights, bias and input come from raw files, small
    enough to check by hand (see examples/README.md)."""
    with open('examples/tiny_raw/input.bin', 'wb') as f:
        f.write(bytes(range(1, 17)))                       # 1x1x4x4, NCHW
    with open('examples/tiny_raw/weights.bin', 'wb') as f:
        f.write(bytes([1] * 9) + bytes([0, 0, 0, 0, 1, 0, 0, 0, 0]))  # OIHW 2x1x3x3
    with open('examples/tiny_raw/bias.bin', 'wb') as f:
        f.write(struct.pack('<2i', 1, -1))
    return {
        'version': 1, 'name': 'tiny_raw',
        'description': 'weights, bias and input from raw files: a 3x3 box filter and a 3x3 '
                       'identity over the numbers 1..16',
        'layout': 'NCHW', 'requant': 'tflite',
        'inputs': [{'name': 'in', 'shape': [1, 1, 4, 4], 'scale': 1.0, 'data': 'tiny_raw/input.bin'}],
        'layers': [conv('conv', 'in', 2, 3,
                        weights={'file': 'tiny_raw/weights.bin', 'layout': 'OIHW', 'scale': 1.0},
                        bias={'file': 'tiny_raw/bias.bin'},
                        output={'type': 'int8', 'scale': 1.0, 'zero_point': 0})],
        'outputs': ['conv']}

if __name__ == '__main__':
    write('examples/resnet18.json', resnet(18))
    write('examples/resnet50.json', resnet(50))
    write('examples/mobilenet_v1.json', mobilenet_v1())
    write('examples/mobilenet_v2.json', mobilenet_v2())
    write('examples/vgg16.json', vgg16())
    write('examples/vgg16_classifier.json', vgg16(classifier_only=True))
    write('examples/fc2048.json', fc2048())
    write('examples/lenet5.json', lenet5())
    write('examples/fc_identity.json', fc_identity())
    write('examples/tiny_raw.json', tiny_raw())
